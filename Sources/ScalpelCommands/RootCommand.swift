import ArgumentParser
import Torch
