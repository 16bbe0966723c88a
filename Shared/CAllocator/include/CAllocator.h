#ifndef CALLOCATOR_H
#define CALLOCATOR_H

/// The allocator the process's malloc goes to: "jemalloc 5.3.0-..." or "system".
const char *cc_allocator_name(void);

/// Hands memory the allocator keeps for reuse back to the system (jemalloc: purges every arena; glibc: malloc_trim).
void cc_allocator_release_free_memory(void);

#endif
