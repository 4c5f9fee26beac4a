#include "httpclient.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <thread>

namespace rl {

namespace {

struct Transfer {
    std::string body;
    std::map<std::string, std::string> headers;
    std::size_t limit = 0;
    bool tooLarge = false;
};

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::size_t bytes = size * count;
    if (transfer->body.size() + bytes > transfer->limit) {
        transfer->tooLarge = true;
        return 0; // aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer->body.append(data, bytes);
    return bytes;
}

std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
        transfer->headers.clear(); // a redirect's or a 100-continue's headers are not the answer's
        return bytes;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return bytes;
    std::string name(line.substr(0, colon));
    for (char &c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
    transfer->headers[name] = std::string(value);
    return bytes;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *cancelled = static_cast<const std::function<bool()> *>(user);
    return (*cancelled)() ? 1 : 0; // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

std::once_flag curlInitialised;

std::string printable(std::string_view text, std::size_t max)
{
    std::string out;
    for (char c : text.substr(0, max))
        out += (c >= 32 && c < 127) ? c : ' ';
    if (text.size() > max)
        out += "…";
    return out;
}

} // namespace

std::string urlHost(const std::string &url)
{
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

struct HttpClient::Handles {
    CURL *easy = nullptr;
    ~Handles()
    {
        if (easy)
            curl_easy_cleanup(easy);
    }
};

HttpClient::HttpClient(Options options) : m_options(std::move(options)), m_handles(std::make_unique<Handles>())
{
    std::call_once(curlInitialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_handles->easy = curl_easy_init();
    m_rng = m_options.jitterSeed != 0 ? m_options.jitterSeed : std::random_device()() | 1ULL;
    if (!m_options.sleep)
        m_options.sleep = [](std::chrono::milliseconds wait) { std::this_thread::sleep_for(wait); };
}

HttpClient::~HttpClient() = default;

std::chrono::milliseconds HttpClient::backoff(int attempt)
{
    // Exponential with full jitter: a random wait in [0, min(max, base * 2^(attempt-1))], so that many
    // clients retrying after one outage do not come back in lockstep.
    const int shift = std::clamp(attempt - 1, 0, 20);
    const std::int64_t ceiling =
        std::min<std::int64_t>(m_options.backoffMax.count(), m_options.backoffBase.count() << shift);
    m_rng ^= m_rng << 13;
    m_rng ^= m_rng >> 7;
    m_rng ^= m_rng << 17;
    return std::chrono::milliseconds(
        ceiling <= 0 ? 0 : static_cast<std::int64_t>(m_rng % static_cast<std::uint64_t>(ceiling + 1)));
}

std::optional<std::chrono::milliseconds> HttpClient::parseRetryAfter(const std::string &value, std::int64_t nowSeconds)
{
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (value.size() > 9)
            return std::nullopt;
        return std::chrono::milliseconds(std::stoll(value) * 1000);
    }
    const time_t when = curl_getdate(value.c_str(), nullptr); // HTTP-date
    if (when < 0)
        return std::nullopt;
    return std::chrono::milliseconds(std::max<std::int64_t>(0, static_cast<std::int64_t>(when) - nowSeconds) * 1000);
}

Error HttpClient::statusError(long status, const std::string &url, const std::string &body)
{
    const std::string host = urlHost(url);
    const std::string said = body.empty() ? std::string() : " It said: " + printable(body, 200);
    switch (status) {
    case 401:
        return {"auth.invalid",
                host
                    + " refused the credentials (HTTP 401): check the API key; usage and cost "
                      "APIs need an admin key."
                    + said,
                false};
    case 403:
        return {"auth.forbidden",
                host
                    + " accepted the key but does not allow this (HTTP 403): the key lacks the "
                      "permission or the role for this endpoint."
                    + said,
                false};
    case 404:
        return {"http.not_found",
                host + " has no " + url.substr(url.find(host) + host.size())
                    + " (HTTP 404): check the base URL and the source type." + said,
                false};
    case 429:
        return {"http.rate_limited", host + " is rate limiting us (HTTP 429); polling will try again later." + said,
                true};
    default: break;
    }
    if (status >= 500)
        return {"http.server_error", host + " failed (HTTP " + std::to_string(status) + "); it will be retried." + said,
                true};
    return {"http.refused", host + " refused the request (HTTP " + std::to_string(status) + ")." + said, false};
}

Result<HttpAnswer> HttpClient::sendOnce(const HttpExchange &exchange)
{
    CURL *curl = m_handles->easy;
    if (curl == nullptr)
        return Error{"net.init", "libcurl could not be initialised", false};
    curl_easy_reset(curl); // keeps the connection cache, clears the previous call's options
    Transfer transfer;
    transfer.limit = m_options.maxBodyBytes;
    char errorText[CURL_ERROR_SIZE] = {};
    curl_slist *headers = nullptr;
    for (const auto &[name, value] : exchange.headers)
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, exchange.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connectTimeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.transferTimeout.count()));
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); // every encoding libcurl was built with
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!m_options.caFile.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, m_options.caFile.c_str());
    curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.userAgent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorText);
    if (m_options.cancelled) {
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &m_options.cancelled);
    }
    if (exchange.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, exchange.method.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, exchange.body.c_str());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(exchange.body.size()));
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);

    const std::string host = urlHost(exchange.url);
    const std::string detail = errorText[0] != '\0' ? std::string(errorText) : std::string(curl_easy_strerror(code));
    switch (code) {
    case CURLE_OK: {
        HttpAnswer answer;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
        answer.headers = std::move(transfer.headers);
        answer.body = std::move(transfer.body);
        return answer;
    }
    case CURLE_WRITE_ERROR:
        if (transfer.tooLarge)
            return Error{"net.too_large",
                         "The answer from " + host + " is larger than " + std::to_string(m_options.maxBodyBytes >> 20)
                             + " MB; it was not read. Ask the source for smaller pages.",
                         false};
        break;
    case CURLE_ABORTED_BY_CALLBACK: return Error{"net.cancelled", "The request to " + host + " was cancelled.", false};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return Error{"net.bad_url", "The URL '" + exchange.url + "' is not a valid http(s) URL: " + detail, false};
    case CURLE_COULDNT_RESOLVE_HOST:
        return Error{"net.dns",
                     "Cannot find the host '" + host
                         + "' (DNS lookup failed): check the URL's host name and "
                           "this machine's network.",
                     true};
    case CURLE_COULDNT_RESOLVE_PROXY:
        return Error{"net.proxy", "Cannot find the proxy host (check https_proxy / http_proxy): " + detail, true};
    case CURLE_COULDNT_CONNECT:
        return Error{"net.connect",
                     "Cannot connect to " + host + " (" + detail
                         + "): is the service running, and is the URL's port right?",
                     true};
    case CURLE_OPERATION_TIMEDOUT:
        return Error{"net.timeout", host + " did not answer in time (" + detail + ").", true};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        return Error{"net.tls",
                     "The TLS connection to " + host + " failed (" + detail
                         + "): the certificate is not trusted or does not match the host. Check the URL, or "
                           "add the CA to this machine's trust store.",
                     false};
    case CURLE_TOO_MANY_REDIRECTS:
        return Error{"net.redirects", host + " redirected more than 5 times: check the base URL.", false};
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return Error{"net.broken",
                     "The connection to " + host + " broke before the whole answer arrived (" + detail + ").", true};
    default: break;
    }
    return Error{"net.failed", "The request to " + host + " failed: " + detail, true};
}

Result<HttpAnswer> HttpClient::send(const HttpExchange &exchange)
{
    m_waits.clear();
    const int attempts = std::max(1, m_options.maxAttempts);
    for (int attempt = 1;; ++attempt) {
        if (attempt > 1 && m_options.cancelled && m_options.cancelled())
            return Error{"net.cancelled", "The request to " + urlHost(exchange.url) + " was cancelled.", false};
        auto answer = sendOnce(exchange);
        const bool last = attempt >= attempts;
        if (!answer) {
            if (!answer.error().retryable || last)
                return answer;
            m_waits.push_back(backoff(attempt));
            m_options.sleep(m_waits.back());
            continue;
        }
        const long status = answer->status;
        if (status < 400)
            return answer;
        const bool transient = status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
        std::optional<std::chrono::milliseconds> retryAfter;
        if (status == 429 || status == 503) {
            retryAfter = parseRetryAfter(
                answer->header("retry-after"),
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                    .count());
        }
        if (!transient || last || (retryAfter && *retryAfter > m_options.retryAfterMax)) {
            Error error = statusError(status, exchange.url, answer->body);
            if (retryAfter) {
                const auto until = std::chrono::system_clock::now() + *retryAfter;
                const std::time_t t = std::chrono::system_clock::to_time_t(until);
                char stamp[32];
                std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
                error.message += " Retry after " + std::string(stamp) + ".";
            }
            return error;
        }
        m_waits.push_back(retryAfter ? *retryAfter : backoff(attempt));
        m_options.sleep(m_waits.back());
    }
}

} // namespace rl
