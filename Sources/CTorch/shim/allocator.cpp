// Scalpel — CTorch: a caching CPU allocator.
// SPDX-License-Identifier: Apache-2.0
//
// With glibc, every large tensor (activations are tens of MB) is an mmap that goes back to the system
// when freed and page-faults back in on the next training step. This allocator keeps freed blocks of
// 128 KiB and more in size-class free lists and hands them out again, the way PyTorch's CUDA caching
// allocator does on the GPU. Small blocks go straight to the system allocator. The threshold is glibc's
// initial mmap threshold (128 KiB): everything glibc would map and unmap on every call is cached, and
// nothing below it, which glibc serves from its heap. It is installed when
// the library loads; SCALPEL_CPU_ALLOCATOR=system turns it off and SCALPEL_CPU_CACHE_MB bounds the cache
// (default: half the physical memory).
#include <c10/core/CPUAllocator.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "guard.hpp"
#include "handles.hpp"

namespace {

constexpr size_t kHeader = 64;  // keeps c10's 64-byte alignment and stores the block's size class
constexpr size_t kCacheMinimum = size_t(128) << 10;

/// Rounds large sizes up to one of 8 classes per power of two (at most 12.5 % slack).
size_t sizeClass(size_t bytes) {
  if (bytes < kCacheMinimum) return bytes;
  size_t power = kCacheMinimum;
  while (power < bytes) power <<= 1;
  size_t step = power / 16;
  return (bytes + step - 1) / step * step;
}

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<char *>> freeBlocks;
  size_t cachedBytes = 0;
  size_t limitBytes = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;

  void releaseLocked() {
    for (auto &entry : freeBlocks)
      for (char *block : entry.second) std::free(block);
    freeBlocks.clear();
    cachedBytes = 0;
  }
};

BlockCache &blockCache() {
  static BlockCache *cache = [] {
    auto *created = new BlockCache();  // never destroyed: tensors may be freed during static destruction
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    created->limitBytes = pages > 0 && pageSize > 0 ? size_t(pages) * size_t(pageSize) / 2 : size_t(4) << 30;
    if (const char *limit = std::getenv("SCALPEL_CPU_CACHE_MB")) created->limitBytes = size_t(std::atoll(limit)) << 20;
    return created;
  }();
  return *cache;
}

void deallocate(void *data) {
  if (data == nullptr) return;
  char *block = static_cast<char *>(data) - kHeader;
  size_t size = *reinterpret_cast<size_t *>(block);
  if (size >= kCacheMinimum) {
    auto &cache = blockCache();
    std::lock_guard<std::mutex> lock(cache.mutex);
    if (cache.cachedBytes + size <= cache.limitBytes) {
      cache.freeBlocks[size].push_back(block);
      cache.cachedBytes += size;
      return;
    }
  }
  std::free(block);
}

struct CachingCPUAllocator final : at::Allocator {
  at::DataPtr allocate(size_t bytes) override {
    if (bytes == 0) return {nullptr, nullptr, &deallocate, at::Device(at::kCPU)};
    size_t size = sizeClass(bytes);
    char *block = nullptr;
    if (size >= kCacheMinimum) {
      auto &cache = blockCache();
      std::lock_guard<std::mutex> lock(cache.mutex);
      auto found = cache.freeBlocks.find(size);
      if (found != cache.freeBlocks.end() && !found->second.empty()) {
        block = found->second.back();
        found->second.pop_back();
        cache.cachedBytes -= size;
        ++cache.hits;
      } else {
        ++cache.misses;
      }
    }
    if (block == nullptr) block = allocateBlock(size);
    *reinterpret_cast<size_t *>(block) = size;
    void *data = block + kHeader;
    return {data, data, &deallocate, at::Device(at::kCPU)};
  }

  at::DeleterFnPtr raw_deleter() const override { return &deallocate; }

  void copy_data(void *destination, const void *source, size_t count) const override {
    default_copy_data(destination, source, count);
  }

 private:
  static char *allocateBlock(size_t size) {
    void *block = nullptr;
    if (posix_memalign(&block, kHeader, size + kHeader) == 0) return static_cast<char *>(block);
    {  // Out of memory: give the cache back to the system and try once more.
      auto &cache = blockCache();
      std::lock_guard<std::mutex> lock(cache.mutex);
      cache.releaseLocked();
    }
    if (posix_memalign(&block, kHeader, size + kHeader) == 0) return static_cast<char *>(block);
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CPU out of memory: tried to allocate ", size, " bytes");
  }
};

CachingCPUAllocator &cachingAllocator() {
  static CachingCPUAllocator *allocator = new CachingCPUAllocator();
  return *allocator;
}

bool installCachingAllocator() {
  const char *choice = std::getenv("SCALPEL_CPU_ALLOCATOR");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return false;
  c10::SetCPUAllocator(&cachingAllocator(), /*priority=*/1);
  return true;
}

const bool cachingAllocatorInstalled = installCachingAllocator();

}  // namespace

extern "C" {

bool ctorch_cpu_cache_enabled(void) { return cachingAllocatorInstalled; }

void ctorch_cpu_cache_statistics(uint64_t *cached_bytes, uint64_t *limit_bytes, uint64_t *hits, uint64_t *misses) {
  auto &cache = blockCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  *cached_bytes = cache.cachedBytes;
  *limit_bytes = cache.limitBytes;
  *hits = cache.hits;
  *misses = cache.misses;
}

void ctorch_cpu_cache_release(void) {
  auto &cache = blockCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  cache.releaseLocked();
}

void ctorch_cpu_cache_set_limit(uint64_t bytes) {
  auto &cache = blockCache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  cache.limitBytes = bytes;
  if (cache.cachedBytes > bytes) cache.releaseLocked();
}

}  // extern "C"
