#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace rl {

// What crosses the core's boundaries when something goes wrong. `message` names the thing and the fix;
// `retryable` tells a caller whether trying again later can succeed.
struct Error {
    std::string code;
    std::string message;
    bool retryable = false;
};

// A value or an Error. Small on purpose: C++20 has no std::expected yet.
template <typename T>
class Result {
public:
    Result(T value) : m_state(std::move(value)) {}     // NOLINT(google-explicit-constructor)
    Result(Error error) : m_state(std::move(error)) {} // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const Error &error() const { return std::get<Error>(m_state); }
    T valueOr(T fallback) const { return ok() ? value() : fallback; }

    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

private:
    std::variant<T, Error> m_state;
};

// Success with nothing to return, or an Error. A default-constructed one (`return {};`) is success.
template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {} // NOLINT(google-explicit-constructor)

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

} // namespace rl
