#include "jsonvalidator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rl {

namespace {

using nlohmann::json;

// One validation: a recursive descent over the bytes, building nothing.
class Pass {
public:
    Pass(std::string_view text, const JsonLimits &limits, const JsonValidator::OnMember &onMember)
        : m_p(text.data()), m_end(text.data() + text.size()),
          m_maxDepth(std::min(limits.maxDepth, JsonValidator::kMaxDepth)), m_maxValues(limits.maxValues),
          m_onMember(onMember)
    {}

    JsonValidator::Outcome run()
    {
        if (m_end - m_p >= 3 && static_cast<unsigned char>(m_p[0]) == 0xEF && static_cast<unsigned char>(m_p[1]) == 0xBB
            && static_cast<unsigned char>(m_p[2]) == 0xBF)
            m_p += 3;
        skipSpace();
        if (m_p == m_end)
            return {};
        m_object = *m_p == '{';
        if (!value(0))
            return {};
        skipSpace();
        if (m_p != m_end)
            return {};
        return {true, m_object};
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

    // A container or a separator, as checkJsonShape counts values.
    bool counted() { return ++m_values <= m_maxValues; }

    bool object(int depth)
    {
        if (depth > m_maxDepth || !counted())
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
            if (depth == 1 && m_object && m_onMember)
                member(key, escaped, keyStart - 1,
                       std::string_view(valueStart, static_cast<std::size_t>(m_p - valueStart)));
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == '}') {
                ++m_p;
                return true;
            }
            if (*m_p != ',' || !counted())
                return false;
            ++m_p;
        }
    }

    bool array(int depth)
    {
        if (depth > m_maxDepth || !counted())
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
            if (*m_p != ',' || !counted())
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

    // Skips the bytes of a string that need no look (printable ASCII but the quote and the backslash), 16 at a time:
    // the text of a prompt or an answer is most of a body.
    void skipPlainBytes()
    {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (m_end - m_p >= 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(m_p));
            // Signed: bytes of 0x80 and above are negative, so below 0x20 flags them too (UTF-8 is checked apart).
            const __m128i special =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                             _mm_cmplt_epi8(bytes, space));
            const int mask = _mm_movemask_epi8(special);
            if (mask != 0) {
                m_p += __builtin_ctz(static_cast<unsigned>(mask));
                return;
            }
            m_p += 16;
        }
#endif
        while (m_p != m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                return;
            ++m_p;
        }
    }

    // At the opening quote; leaves m_p past the closing one. `escaped`: set when the string holds an escape.
    bool string(bool *escaped)
    {
        ++m_p;
        while (m_p != m_end) {
            skipPlainBytes();
            if (m_p == m_end)
                break;
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

    void member(std::string_view rawKey, bool escaped, const char *memberStart, std::string_view valueText)
    {
        const std::string_view memberText(memberStart,
                                          static_cast<std::size_t>(valueText.data() + valueText.size() - memberStart));
        if (!escaped) {
            m_onMember(rawKey, memberText, valueText);
            return;
        }
        // A key spelled with escapes ("us\u0061ge") is the key it decodes to, as in a parsed document.
        const json key = json::parse(std::string("\"").append(rawKey).append("\""), nullptr, false);
        if (key.is_string())
            m_onMember(key.get_ref<const std::string &>(), memberText, valueText);
    }

    const char *m_p;
    const char *const m_end;
    const int m_maxDepth;
    const std::size_t m_maxValues;
    std::size_t m_values = 0;
    const JsonValidator::OnMember &m_onMember;
    bool m_object = false;
};

// The string that starts at `p` (its opening quote) in a validated text, left past its closing quote.
std::string stringAt(const char *&p)
{
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
        return json::parse(start, p, nullptr, false).get<std::string>();
    return std::string(start + 1, p - 1);
}

} // namespace

JsonValidator::Outcome JsonValidator::validate(std::string_view text, const JsonLimits &limits,
                                               const OnMember &onTopLevelMember)
{
    return Pass(text, limits, onTopLevelMember).run();
}

json JsonValidator::build(const char *&p)
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
        auto &members = *object.get_ptr<json::object_t *>();
        while (*p != '}') {
            std::string key = stringAt(p);
            skip();
            ++p;                                                // :
            members.insert_or_assign(std::move(key), build(p)); // a repeated key: the last wins, as in nlohmann
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
    case '"': return json(stringAt(p));
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

} // namespace rl
