#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rl {

// A quick "can this regex possibly match?" test for case-insensitive patterns, which RE2 cannot speed
// up with memchr: RE2's FilteredRE2 names the literal strings ("atoms") a match needs, and a text
// containing none of them cannot match. Looking for them case-insensitively costs a few memchr passes
// instead of running the DFA over the whole prompt (docs/BENCHMARKS.md has the figures).
class LiteralPrefilter {
public:
    LiteralPrefilter() = default;

    // Builds the prefilter for a pattern; passes everything when the pattern has no usable atoms.
    static LiteralPrefilter forPattern(const std::string &pattern, bool caseInsensitive);

    // False only when no match is possible.
    bool mayMatch(std::string_view text) const;
    bool filters() const { return !m_atoms.empty(); }
    const std::vector<std::string> &atoms() const { return m_atoms; }

    // ASCII case-insensitive search for a lower-case needle.
    static bool containsIgnoringCase(std::string_view text, std::string_view lowerNeedle);

private:
    std::vector<std::string> m_atoms; // lower-case ASCII; a match needs at least one of them
};

} // namespace rl
