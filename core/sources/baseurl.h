#pragma once

#include <string>
#include <string_view>

namespace rl {

// A source's base URL as the connectors append paths to it: without trailing slashes (a URL may be typed
// "https://api.openai.com/v1/"), then without `apiPath` when it ends with it (OpenRouter's URL is typed with
// or without "/api/v1", and the connectors add the full path).
inline std::string trimmedBaseUrl(std::string url, std::string_view apiPath = {})
{
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    if (!apiPath.empty() && url.size() >= apiPath.size()
        && std::string_view(url).substr(url.size() - apiPath.size()) == apiPath)
        url.resize(url.size() - apiPath.size());
    return url;
}

} // namespace rl
