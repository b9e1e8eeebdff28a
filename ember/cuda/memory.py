"""``torch.cuda.memory``: the caching allocator's counters (all zero without CUDA)."""
from . import (caching_allocator_alloc, caching_allocator_delete, empty_cache,
               get_allocator_backend, get_per_process_memory_fraction, host_memory_stats,
               list_gpu_processes, max_memory_allocated, max_memory_cached,
               max_memory_reserved, mem_get_info, memory_allocated, memory_cached,
               memory_snapshot, memory_stats, memory_stats_as_nested_dict, memory_summary,
               memory_reserved, reset_accumulated_memory_stats, reset_max_memory_allocated,
               reset_max_memory_cached, reset_peak_memory_stats,
               set_per_process_memory_fraction)

__all__ = ["caching_allocator_alloc", "caching_allocator_delete", "empty_cache",
           "get_allocator_backend", "get_per_process_memory_fraction", "host_memory_stats",
           "list_gpu_processes", "max_memory_allocated", "max_memory_cached",
           "max_memory_reserved", "mem_get_info", "memory_allocated", "memory_cached",
           "memory_snapshot", "memory_stats", "memory_stats_as_nested_dict", "memory_summary",
           "memory_reserved", "reset_accumulated_memory_stats", "reset_max_memory_allocated",
           "reset_max_memory_cached", "reset_peak_memory_stats",
           "set_per_process_memory_fraction"]
