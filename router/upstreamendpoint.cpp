#include "upstreamendpoint.h"

namespace rl {

Result<UpstreamEndpoint> UpstreamEndpoint::fromConfig(const ProviderConfig &provider)
{
    UpstreamEndpoint endpoint;
    endpoint.provider = provider.name;
    std::string_view url = provider.baseUrl;
    const std::string where = "provider " + provider.name + ": base_url " + provider.baseUrl;
    if (url.rfind("https://", 0) == 0) {
        endpoint.tls = true;
        url.remove_prefix(8);
    } else if (url.rfind("http://", 0) == 0) {
        url.remove_prefix(7);
    } else {
        return Error{"config.invalid", where + " must start with http:// or https://", false};
    }
    auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    endpoint.pathPrefix = std::string(path);
    if (authority.empty())
        return Error{"config.invalid", where + " has no host", false};
    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') { // [::1]:8080
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return Error{"config.invalid", where + " has an unclosed IPv6 bracket", false};
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    for (char c : port) {
        if (c < '0' || c > '9')
            return Error{"config.invalid", where + " has a port that is not a number", false};
    }
    endpoint.host = std::string(host);
    endpoint.port = port.empty() ? (endpoint.tls ? "443" : "80") : std::string(port);
    endpoint.hostHeader = std::string(authority);
    if (!provider.apiKey.empty())
        endpoint.authorization = "Bearer " + provider.apiKey;
    if (endpoint.tls) {
        endpoint.ssl = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        boost::system::error_code ec;
        endpoint.ssl->set_default_verify_paths(ec);
        if (!provider.caFile.empty()) {
            endpoint.ssl->load_verify_file(provider.caFile, ec);
            if (ec)
                return Error{"config.invalid",
                             "provider " + provider.name + ": cannot load ca_file " + provider.caFile + ": "
                                 + ec.message(),
                             false};
        }
        endpoint.ssl->set_verify_mode(asio::ssl::verify_peer);
    }
    return endpoint;
}

} // namespace rl
