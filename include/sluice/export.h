/* SLUICE_API marks what libsluice.so exports. The library is built with -fvisibility=hidden
 * (cmake/embedding.cmake): everything not marked stays inside it, so the dynamic symbol table
 * is the API (the C functions of sluice.h and the classes and functions of sluice.hpp) and
 * nothing else (no compiler internals, no libfmt). Plain C and C++17 can include this file. */
#ifndef SLUICE_EXPORT_H
#define SLUICE_EXPORT_H

#if defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
/* The standard attribute form: it sits beside [[nodiscard]] on a class. */
#define SLUICE_API [[gnu::visibility("default")]]
#elif defined(__GNUC__) || defined(__clang__)
#define SLUICE_API __attribute__((visibility("default")))
#else
#define SLUICE_API
#endif

#endif /* SLUICE_EXPORT_H */
