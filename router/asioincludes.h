#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility> (GCC 12 no longer pulls
// it in transitively), so every router file includes Asio and Beast through this header.
#include <utility>

// GCC's flow analysis reports "potential null pointer dereference" inside Asio's scheduler once it is
// inlined into our code; the option is on for the rest of the project.
#pragma GCC diagnostic ignored "-Wnull-dereference"
// With the sanitizers, GCC 12 also reports Beast's boost::optional as maybe-uninitialized and Asio's
// coroutine-frame allocator (its own operator new/delete pair) as mismatched: both false positives.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace rl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

} // namespace rl
