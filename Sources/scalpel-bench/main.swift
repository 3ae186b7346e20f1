import Torch
print(TorchRuntime.version, TorchRuntime.threadCount)
let a = try Tensor([1.0, 2.0, 3.0, 4.0] as [Float], shape: [2, 2])
let b = try a.matmul(a)
print(try b.hostArray(of: Float.self))
do { _ = try a.matmul(Tensor.ones([3, 5])) } catch { print("caught:", error) }
let x = try Tensor.randn([2, 3, 8, 8]).requiringGradient()
let w = try Tensor.randn([4, 3, 3, 3]).requiringGradient()
let y = try x.conv2d(weight: w, padding: (1, 1)).relu().sum()
try y.backward()
print(try w.gradient()!.shape, try x.gradient()!.shape, Tensor.liveCount)
