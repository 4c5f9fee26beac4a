#include "routing/literalprefilter.h"

#include <re2/filtered_re2.h>

#include <algorithm>
#include <cstring>

namespace rl {

namespace {

constexpr std::size_t kMinAtomLength = 3;

// How common a byte is in English text, so the search can pivot on the rarest byte of an atom.
int commonness(unsigned char c)
{
    static constexpr std::string_view kByFrequency = " etaoinshrdlcumwfgypbvkjxqz";
    if (c >= 'A' && c <= 'Z')
        c = static_cast<unsigned char>(c | 0x20);
    const auto at = kByFrequency.find(static_cast<char>(c));
    return at == std::string_view::npos ? 0 : static_cast<int>(kByFrequency.size() - at);
}

bool equalsIgnoringCase(const char *text, std::string_view lowerNeedle)
{
    for (std::size_t k = 0; k < lowerNeedle.size(); ++k) {
        auto c = static_cast<unsigned char>(text[k]);
        if (c >= 'A' && c <= 'Z')
            c = static_cast<unsigned char>(c | 0x20);
        if (c != static_cast<unsigned char>(lowerNeedle[k]))
            return false;
    }
    return true;
}

} // namespace

LiteralPrefilter LiteralPrefilter::forPattern(const std::string &pattern, bool caseInsensitive)
{
    LiteralPrefilter prefilter;
    // RE2 already finds a case-sensitive literal prefix with memchr; the prefilter is for the rest.
    if (!caseInsensitive && pattern.find("(?i") == std::string::npos)
        return prefilter;
    re2::FilteredRE2 filtered(static_cast<int>(kMinAtomLength));
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!caseInsensitive);
    int id = 0;
    if (filtered.Add(pattern, options, &id) != RE2::NoError)
        return prefilter;
    std::vector<std::string> atoms;
    filtered.Compile(&atoms);
    // Atoms are lower-cased by RE2; only ASCII ones can be matched with an ASCII case fold.
    for (const std::string &atom : atoms)
        if (atom.empty()
            || std::any_of(atom.begin(), atom.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
            return prefilter;
    prefilter.m_atoms = std::move(atoms);
    return prefilter;
}

bool LiteralPrefilter::mayMatch(std::string_view text) const
{
    if (m_atoms.empty())
        return true;
    for (const std::string &atom : m_atoms)
        if (containsIgnoringCase(text, atom))
            return true;
    return false;
}

bool LiteralPrefilter::containsIgnoringCase(std::string_view text, std::string_view lowerNeedle)
{
    if (lowerNeedle.empty())
        return true;
    if (lowerNeedle.size() > text.size())
        return false;
    std::size_t pivot = 0;
    for (std::size_t k = 1; k < lowerNeedle.size(); ++k)
        if (commonness(static_cast<unsigned char>(lowerNeedle[k]))
            < commonness(static_cast<unsigned char>(lowerNeedle[pivot])))
            pivot = k;
    const auto lower = static_cast<unsigned char>(lowerNeedle[pivot]);
    const unsigned char upper = lower >= 'a' && lower <= 'z' ? static_cast<unsigned char>(lower & ~0x20) : lower;
    // Candidates are where the pivot byte sits; each case is found with memchr.
    const char *first = text.data() + pivot;
    const char *last = text.data() + (text.size() - lowerNeedle.size()) + pivot; // inclusive
    for (unsigned char wanted : {lower, upper}) {
        const char *at = first;
        while (at <= last) {
            const void *hit = std::memchr(at, wanted, static_cast<std::size_t>(last - at) + 1);
            if (!hit)
                break;
            const char *found = static_cast<const char *>(hit);
            if (equalsIgnoringCase(found - pivot, lowerNeedle))
                return true;
            at = found + 1;
        }
        if (upper == lower)
            break;
    }
    return false;
}

} // namespace rl
