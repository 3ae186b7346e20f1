"""dp2 cases of bench/run: PyTorch DistributedDataParallel (gloo) in 2 processes on 127.0.0.1, each with
half the threads and half of every batch — the same work as Sources/scalpel-bench/DataParallel.swift."""
import os
import random

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F


def _rank(rank, port, architecture, size, batch, steps, warmup, threads, channels_last, results):
    import pytorch_bench  # the shared builders and timer
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(max(1, threads // 2))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.manual_seed(0)
    model = pytorch_bench.build(architecture, 10)
    share = batch // 2
    images = torch.randn(share, 3, size, size)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    model.train()
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    labels = torch.randint(0, 10, (share,))
    optimizer = torch.optim.Adam(ddp.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(ddp(images), labels).backward()
        optimizer.step()
    seconds = pytorch_bench.median_seconds(steps, warmup, step)
    dist.barrier()
    if rank == 0:
        results.put(2 * share / seconds)
    dist.destroy_process_group()


def ddp_images_per_second(architecture, size, batch, steps, warmup, threads, channels_last):
    context = mp.get_context("spawn")
    results = context.Queue()
    port = random.randint(50000, 59999)
    processes = [context.Process(target=_rank, args=(rank, port, architecture, size, batch, steps, warmup, threads,
                                                       channels_last, results)) for rank in range(2)]
    for process in processes:
        process.start()
    rate = results.get(timeout=600)
    for process in processes:
        process.join()
    return rate
