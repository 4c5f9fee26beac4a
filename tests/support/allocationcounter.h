#pragma once

// Replaces every form of the global operator new/delete with malloc/free plus a counter, so a test or a
// benchmark can count heap allocations around a call. Include in exactly one file of an executable.

// These replacements are the allocation functions, so free() here is the matching release.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <atomic>
#include <cstdlib>
#include <new>

namespace allocationcounter {
inline std::atomic<long> count{0};

inline void *allocate(std::size_t size)
{
    count.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}

inline void *allocateAligned(std::size_t size, std::align_val_t alignment)
{
    count.fetch_add(1, std::memory_order_relaxed);
    const auto align = static_cast<std::size_t>(alignment);
    return std::aligned_alloc(align, (size + align - 1) / align * align);
}
} // namespace allocationcounter

void *operator new(std::size_t size)
{
    if (void *p = allocationcounter::allocate(size))
        return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
    if (void *p = allocationcounter::allocate(size))
        return p;
    throw std::bad_alloc();
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    return allocationcounter::allocate(size);
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
    return allocationcounter::allocate(size);
}
void *operator new(std::size_t size, std::align_val_t a)
{
    if (void *p = allocationcounter::allocateAligned(size, a))
        return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t size, std::align_val_t a)
{
    if (void *p = allocationcounter::allocateAligned(size, a))
        return p;
    throw std::bad_alloc();
}
void *operator new(std::size_t size, std::align_val_t a, const std::nothrow_t &) noexcept
{
    return allocationcounter::allocateAligned(size, a);
}
void *operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t &) noexcept
{
    return allocationcounter::allocateAligned(size, a);
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete[](void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete(void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
}
void operator delete[](void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept
{
    std::free(p);
}
