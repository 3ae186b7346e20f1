// Scalpel — CTorch: c10d process groups — TCPStore rendezvous and the Gloo backend built into
// libtorch_cpu.
//
// The wheel ships c10d's headers but not gloo/, which ProcessGroupGloo.hpp includes. This file
// therefore never includes that header: it reaches the three exported entry points it needs by their
// mangled names (checked at link time against libtorch_cpu.so) and uses the group only through its
// public base class, c10d::Backend, whose header ships. See docs/distributed.md.
#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#include <chrono>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include "guard.hpp"
#include "handles.hpp"

using OptionsPointer = c10::intrusive_ptr<c10d::Backend::Options>;

// c10d::ProcessGroupGloo::Options::create_default(std::chrono::milliseconds): devices from
// GLOO_SOCKET_IFNAME or the hostname, 2 threads, the given timeout. Returns
// intrusive_ptr<ProcessGroupGloo::Options>, the same object representation as OptionsPointer.
OptionsPointer glooDefaultOptions(std::chrono::milliseconds timeout) asm(
    "_ZN4c10d16ProcessGroupGloo7Options14create_defaultENSt6chrono8durationIlSt5ratioILl1ELl1000EEEE");

// c10d::ProcessGroupGloo::ProcessGroupGloo(const intrusive_ptr<Store>&, int rank, int size,
// intrusive_ptr<Options>) — the complete-object constructor, called on storage we allocate.
void glooConstruct(void *self, const c10::intrusive_ptr<c10d::Store> &store, int rank, int size,
                   OptionsPointer options) asm(
    "_ZN4c10d16ProcessGroupGlooC1ERKN3c1013intrusive_ptrINS_5StoreENS1_6detail34intrusive_target_default_null_"
    "typeIS3_EEEEiiNS2_INS0_7OptionsENS5_ISA_EEEE");

namespace {
// Storage for one ProcessGroupGloo. Its real size is not knowable without gloo's headers; its members
// are pointers, vectors, threads, a deque and synchronisation primitives (well under 2 KiB in every
// release), so 64 KiB leaves a wide margin. The `ProcessGroupGlooFitsItsStorage` test checks the
// constructor writes nothing past the first kGlooStorageBytes / 8.
constexpr size_t kGlooStorageBytes = 64 * 1024;
}  // namespace

struct ctorch_process_group_ {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  int rank;
  int size;
  std::chrono::milliseconds timeout;
};

extern "C" int64_t ctorch_gloo_storage_bytes_touched(void);
static int64_t touchedBytes = -1;
int64_t ctorch_gloo_storage_bytes_touched(void) { return touchedBytes; }

namespace {
void waitFor(const c10::intrusive_ptr<c10d::Work> &work, std::chrono::milliseconds timeout, const char *what) {
  TORCH_CHECK(work->wait(timeout), what, " did not complete within ", timeout.count(), " ms");
}

std::vector<at::Tensor> unwrapAll(const ctorch_tensor *tensors, size_t count) {
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (size_t i = 0; i < count; ++i) list.push_back(unwrap(tensors[i]));
  return list;
}
}  // namespace

extern "C" {

ctorch_status ctorch_process_group_new(const char *host, int32_t port, int32_t rank, int32_t world_size,
                                       int64_t timeout_ms, const char *tag, ctorch_process_group *out,
                                       ctorch_error *error) {
  *out = nullptr;
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(world_size >= 1, "world size must be at least 1, got ", world_size);
    TORCH_CHECK_VALUE(rank >= 0 && rank < world_size, "rank ", rank, " is outside 0..<", world_size);
    TORCH_CHECK_VALUE(port > 0 && port < 65536, "port must be in 1...65535, got ", port);
    TORCH_CHECK_VALUE(timeout_ms > 0, "timeout must be positive, got ", timeout_ms, " ms");
    std::chrono::milliseconds timeout(timeout_ms);
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = rank == 0;
    options.numWorkers = static_cast<std::size_t>(world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    c10::intrusive_ptr<c10d::Store> store;
    try {
      store = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    } catch (const std::exception &e) {
      TORCH_CHECK(false, "rendezvous at ", host, ":", port, " failed (rank ", rank, " of ", world_size,
                  ", timeout ", timeout_ms, " ms): ", e.what());
    }
    // Every rank must agree with rank 0 on the world size and the tag before any collective runs.
    // Rank 0 compares everyone's and publishes a verdict; it keeps the store (which it serves) alive
    // until every other rank has read the verdict, so all fail with the same clear message.
    std::string mine = std::to_string(world_size) + " " + tag;
    auto text = [](const std::vector<uint8_t> &bytes) { return std::string(bytes.begin(), bytes.end()); };
    auto encode = [](const std::string &value) { return std::vector<uint8_t>(value.begin(), value.end()); };
    store->set("scalpel/rank" + std::to_string(rank), encode(mine));
    std::string verdict;
    if (rank == 0) {
      for (int other = 1; other < world_size && verdict.empty(); ++other) {
        std::string theirs = text(store->get("scalpel/rank" + std::to_string(other)));
        if (theirs != mine) {
          verdict = "rank " + std::to_string(other) + " runs with world size and version '" + theirs + "' but rank 0 with '" +
                    mine + "': start every rank with the same --nproc/WORLD_SIZE and the same scalpel build";
        }
      }
      store->set("scalpel/verdict", encode(verdict.empty() ? "ok" : verdict));
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (store->add("scalpel/acknowledged", 0) < world_size - 1) {
        TORCH_CHECK(std::chrono::steady_clock::now() < deadline, "rendezvous at ", host, ":", port,
                    ": the other ranks did not confirm within ", timeout_ms, " ms");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    } else {
      std::string theirs = text(store->get("scalpel/rank0"));
      std::string published = text(store->get("scalpel/verdict"));
      store->add("scalpel/acknowledged", 1);
      if (published != "ok") verdict = published;
      else if (theirs != mine)
        verdict = "rank 0 runs with world size and version '" + theirs + "' but rank " + std::to_string(rank) +
                  " with '" + mine + "': start every rank with the same --nproc/WORLD_SIZE and the same scalpel build";
    }
    TORCH_CHECK_VALUE(verdict.empty(), verdict);
    OptionsPointer glooOptions = glooDefaultOptions(timeout);
    void *memory = ::operator new(kGlooStorageBytes);
    std::memset(memory, 0xA5, kGlooStorageBytes);
    try {
      glooConstruct(memory, store, rank, world_size, glooOptions);
    } catch (...) {
      ::operator delete(memory);
      throw;
    }
    auto *bytes = static_cast<unsigned char *>(memory);
    int64_t touched = 0;
    for (size_t i = kGlooStorageBytes; i > 0; --i) {
      if (bytes[i - 1] != 0xA5) {
        touched = static_cast<int64_t>(i);
        break;
      }
    }
    touchedBytes = touched;
    // ProcessGroupGloo derives from c10d::Backend alone, so the object starts with its Backend part.
    auto backend = c10::intrusive_ptr<c10d::Backend>::unsafe_steal_from_new(static_cast<c10d::Backend *>(memory));
    TORCH_CHECK(backend->getBackendName() == "gloo", "the c10d backend built is '", backend->getBackendName(),
                "', not gloo");
    *out = new ctorch_process_group_{std::move(store), std::move(backend), rank, world_size, timeout};
  });
}

void ctorch_process_group_free(ctorch_process_group group) { delete group; }
int32_t ctorch_process_group_rank(ctorch_process_group group) { return group->rank; }
int32_t ctorch_process_group_size(ctorch_process_group group) { return group->size; }

ctorch_status ctorch_process_group_all_reduce_sum(ctorch_process_group group, const ctorch_tensor *tensors,
                                                  size_t count, ctorch_error *error) {
  return guarded(error, [&] {
    auto list = unwrapAll(tensors, count);
    for (const auto &tensor : list) TORCH_CHECK_VALUE(tensor.is_contiguous(), "all-reduce needs contiguous tensors");
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    options.timeout = group->timeout;
    waitFor(group->backend->allreduce(list, options), group->timeout, "all-reduce");
  });
}

ctorch_status ctorch_process_group_broadcast(ctorch_process_group group, const ctorch_tensor *tensors, size_t count,
                                             int32_t root, ctorch_error *error) {
  return guarded(error, [&] {
    TORCH_CHECK_VALUE(root >= 0 && root < group->size, "broadcast root ", root, " is outside 0..<", group->size);
    for (size_t i = 0; i < count; ++i) {
      // Gloo broadcasts one tensor per call; contiguous copies are written back into strided tensors.
      at::Tensor target = unwrap(tensors[i]);
      std::vector<at::Tensor> list{target.is_contiguous() ? target : target.contiguous()};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      options.timeout = group->timeout;
      waitFor(group->backend->broadcast(list, options), group->timeout, "broadcast");
      if (!list[0].is_same(target)) {
        at::NoGradGuard noGrad;
        target.copy_(list[0]);
      }
    }
  });
}

ctorch_status ctorch_process_group_barrier(ctorch_process_group group, ctorch_error *error) {
  return guarded(error, [&] {
    c10d::BarrierOptions options;
    options.timeout = group->timeout;
    waitFor(group->backend->barrier(options), group->timeout, "barrier");
  });
}

}  // extern "C"
