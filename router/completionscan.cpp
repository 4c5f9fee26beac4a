#include "completionscan.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace rl {

namespace {

using nlohmann::json;

// A strict JSON validator over the bytes (RFC 8259, as nlohmann's parser reads it: UTF-8 checked in strings,
// surrogate pairs checked in \u escapes, numbers that overflow a double refused, a leading UTF-8 BOM skipped),
// which notes where the top level's members are. nlohmann's own lexer spends ~80 instructions a byte (it copies
// every string into a token buffer one char at a time): for a chat completion that was the largest single cost
// of a proxied request. The few values the router wants are then parsed by nlohmann from their exact span.
class Validator {
public:
    // Deeper than this is refused: callers bound depth far lower first (checkJsonShape), and the recursion must
    // not reach the end of the stack whatever the input.
    static constexpr int kMaxDepth = 1024;

    Validator(std::string_view text, CompletionScan &scan)
        : m_p(text.data()), m_end(text.data() + text.size()), m_scan(scan)
    {}

    bool run()
    {
        if (m_end - m_p >= 3 && static_cast<unsigned char>(m_p[0]) == 0xEF && static_cast<unsigned char>(m_p[1]) == 0xBB
            && static_cast<unsigned char>(m_p[2]) == 0xBF)
            m_p += 3;
        skipSpace();
        if (m_p == m_end)
            return false;
        m_scan.object = *m_p == '{';
        if (!value(0))
            return false;
        skipSpace();
        return m_p == m_end;
    }

private:
    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }

    bool literal(std::string_view word)
    {
        if (static_cast<std::size_t>(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }

    bool value(int depth)
    {
        if (m_p == m_end)
            return false;
        switch (*m_p) {
        case '{': return object(depth + 1);
        case '[': return array(depth + 1);
        case '"': return string(nullptr);
        case 't': return literal("true");
        case 'f': return literal("false");
        case 'n': return literal("null");
        default: return number();
        }
    }

    bool object(int depth)
    {
        if (depth > kMaxDepth)
            return false;
        ++m_p; // {
        skipSpace();
        if (m_p != m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        for (;;) {
            skipSpace();
            bool escaped = false;
            const char *keyStart = m_p + 1;
            if (m_p == m_end || *m_p != '"' || !string(&escaped))
                return false;
            const std::string_view key(keyStart, static_cast<std::size_t>(m_p - 1 - keyStart));
            skipSpace();
            if (m_p == m_end || *m_p != ':')
                return false;
            ++m_p;
            skipSpace();
            const char *valueStart = m_p;
            if (!value(depth))
                return false;
            if (depth == 1 && m_scan.object)
                member(key, escaped, std::string_view(valueStart, static_cast<std::size_t>(m_p - valueStart)));
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == '}') {
                ++m_p;
                return true;
            }
            if (*m_p != ',')
                return false;
            ++m_p;
        }
    }

    bool array(int depth)
    {
        if (depth > kMaxDepth)
            return false;
        ++m_p; // [
        skipSpace();
        if (m_p != m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        for (;;) {
            skipSpace();
            if (!value(depth))
                return false;
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == ']') {
                ++m_p;
                return true;
            }
            if (*m_p != ',')
                return false;
            ++m_p;
        }
    }

    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    // The four hex digits after \u; -1 when they are not.
    int codeUnit()
    {
        if (m_end - m_p < 4)
            return -1;
        int unit = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexDigit(m_p[i]);
            if (digit < 0)
                return -1;
            unit = unit * 16 + digit;
        }
        m_p += 4;
        return unit;
    }

    // At the opening quote; leaves m_p past the closing one. `escaped`: set when the string holds an escape.
    bool string(bool *escaped)
    {
        ++m_p;
        while (m_p != m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return false; // control characters must be escaped
            if (c == '\\') {
                if (escaped != nullptr)
                    *escaped = true;
                if (++m_p == m_end)
                    return false;
                const char e = *m_p++;
                if (e == 'u') {
                    const int unit = codeUnit();
                    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                        return false; // a low surrogate without its high one
                    if (unit >= 0xD800 && unit <= 0xDBFF) {
                        if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                            return false;
                        m_p += 2;
                        const int low = codeUnit();
                        if (low < 0xDC00 || low > 0xDFFF)
                            return false;
                    }
                } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r'
                           && e != 't') {
                    return false;
                }
                continue;
            }
            if (c < 0x80) {
                ++m_p;
                continue;
            }
            if (!utf8())
                return false;
        }
        return false;
    }

    // One multi-byte UTF-8 sequence (RFC 3629 §4).
    bool utf8()
    {
        const auto c = static_cast<unsigned char>(*m_p);
        unsigned char low = 0x80, high = 0xBF;
        int continuation = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            continuation = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            continuation = 2;
            if (c == 0xE0)
                low = 0xA0;
            else if (c == 0xED)
                high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            continuation = 3;
            if (c == 0xF0)
                low = 0x90;
            else if (c == 0xF4)
                high = 0x8F;
        } else {
            return false;
        }
        if (m_end - m_p <= continuation)
            return false;
        for (int i = 1; i <= continuation; ++i) {
            const auto b = static_cast<unsigned char>(m_p[i]);
            if (b < (i == 1 ? low : 0x80) || b > (i == 1 ? high : 0xBF))
                return false;
        }
        m_p += continuation + 1;
        return true;
    }

    bool digits()
    {
        const char *start = m_p;
        while (m_p != m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p != start;
    }

    bool number()
    {
        const char *start = m_p;
        if (*m_p == '-')
            ++m_p;
        if (m_p == m_end)
            return false;
        if (*m_p == '0')
            ++m_p;
        else if (!digits())
            return false;
        bool integer = true;
        if (m_p != m_end && *m_p == '.') {
            ++m_p;
            integer = false;
            if (!digits())
                return false;
        }
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            integer = false;
            if (m_p != m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return false;
        }
        // An integer of up to 18 digits fits; anything else must be a finite double (nlohmann refuses overflow).
        if (integer && m_p - start <= 19)
            return true;
        const std::string text(start, m_p);
        return std::isfinite(std::strtod(text.c_str(), nullptr));
    }

    void member(std::string_view rawKey, bool escaped, std::string_view valueText)
    {
        std::string decoded;
        if (escaped) {
            // A key spelled with escapes ("us\u0061ge") is the key it decodes to, as in a parsed document.
            const json key = json::parse(std::string("\"").append(rawKey).append("\""), nullptr, false);
            if (!key.is_string())
                return;
            decoded = key.get<std::string>();
            rawKey = decoded;
        }
        if (rawKey == "usage") {
            const char *p = valueText.data();
            m_scan.setUsage(build(p));
        } else if (rawKey == "choices") {
            std::string_view inner = valueText;
            m_scan.choicesEmptyArray =
                inner.size() >= 2 && inner.front() == '[' && inner.back() == ']'
                && inner.substr(1, inner.size() - 2).find_first_not_of(" \t\r\n") == std::string_view::npos;
        } else if (rawKey == "error") {
            m_scan.hasError = true;
        }
    }

    // The document of a value already validated, from `p` (left past it). Cheaper than nlohmann's parser for
    // the small usage object, which is all it builds.
    static json build(const char *&p)
    {
        auto skip = [&p] {
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                ++p;
        };
        skip();
        switch (*p) {
        case '{': {
            json object = json::object();
            ++p;
            skip();
            while (*p != '}') {
                const json key = build(p);
                skip();
                ++p;                                       // :
                object[key.get<std::string>()] = build(p); // a repeated key: the last wins, as in nlohmann
                skip();
                if (*p == ',')
                    ++p;
                skip();
            }
            ++p;
            return object;
        }
        case '[': {
            json array = json::array();
            ++p;
            skip();
            while (*p != ']') {
                array.push_back(build(p));
                skip();
                if (*p == ',')
                    ++p;
                skip();
            }
            ++p;
            return array;
        }
        case '"': {
            const char *start = p++;
            bool escaped = false;
            while (*p != '"') {
                if (*p == '\\') {
                    escaped = true;
                    ++p;
                }
                ++p;
            }
            ++p;
            if (escaped)
                return json::parse(start, p, nullptr, false);
            return json(std::string(start + 1, p - 1));
        }
        case 't': p += 4; return json(true);
        case 'f': p += 5; return json(false);
        case 'n': p += 4; return json();
        default: {
            const char *start = p;
            bool integer = true;
            while ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E') {
                integer = integer && *p != '.' && *p != 'e' && *p != 'E';
                ++p;
            }
            // As nlohmann reads numbers: non-negative integers unsigned, negative ones signed, the rest double.
            if (integer) {
                if (*start == '-') {
                    std::int64_t value = 0;
                    if (auto [end, ec] = std::from_chars(start, p, value); ec == std::errc() && end == p)
                        return json(value);
                } else {
                    std::uint64_t value = 0;
                    if (auto [end, ec] = std::from_chars(start, p, value); ec == std::errc() && end == p)
                        return json(value);
                }
            }
            return json(std::strtod(std::string(start, p).c_str(), nullptr));
        }
        }
    }

    const char *m_p;
    const char *const m_end;
    CompletionScan &m_scan;
};

} // namespace

void CompletionScan::setUsage(nlohmann::json usage)
{
    // The first object is kept apart only once another "usage" follows it (a repeated key is rare).
    if (m_firstIsLast)
        m_firstUsageObject = std::move(*m_lastUsage);
    m_firstIsLast = !m_firstUsageObject && usage.is_object();
    m_lastUsage = std::move(usage);
}

const nlohmann::json *CompletionScan::firstUsageObject() const
{
    return m_firstIsLast ? &*m_lastUsage : m_firstUsageObject ? &*m_firstUsageObject : nullptr;
}

std::optional<CompletionScan> CompletionScan::scan(std::string_view text)
{
    CompletionScan scan;
    if (!Validator(text, scan).run())
        return std::nullopt;
    return scan;
}

} // namespace rl
