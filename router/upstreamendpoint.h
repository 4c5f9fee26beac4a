#pragma once

#include "asioincludes.h"
#include "error.h"
#include "routerconfig.h"

#include <memory>
#include <string>

namespace rl {

// Where one provider's requests go, parsed once from its base URL: scheme, host, port, path prefix, the
// Host and Authorization headers, and a TLS context that verifies the server's certificate and name.
struct UpstreamEndpoint {
    std::string provider;
    bool tls = false;
    std::string host;
    std::string port;
    std::string pathPrefix; // "/v1": requests go to pathPrefix + "/chat/completions"
    std::string hostHeader;
    std::string authorization; // "Bearer …", or empty
    std::shared_ptr<asio::ssl::context> ssl;

    static Result<UpstreamEndpoint> fromConfig(const ProviderConfig &provider);
};

} // namespace rl
