import ScalpelCommands
print("x")
