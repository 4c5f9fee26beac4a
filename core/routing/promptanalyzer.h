#pragma once

#include "routing/task.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rl {

// One pass over a prompt that gathers the cheap signals behind the complexity score, the task label and
// the token estimate. The pass allocates nothing; hashed word uni- and bigrams are handed to a callback
// as they are found, so scoring can add up weights on the fly and training can collect them.
class PromptAnalyzer {
public:
    // Keyword groups recognised by a small perfect-enough hash table (see promptanalyzer.cpp).
    enum KeywordGroup : unsigned char {
        Reasoning,
        Factual,
        CodeWord,
        Thorough,
        Constraint,
        Translate,
        Summarize,
        Extract,
        Creative,
        MathWord,
        Greeting,
        kGroupCount
    };

    struct Counts {
        std::uint32_t bytes = 0, words = 0, wordBytes = 0, lines = 1, sentences = 0, questions = 0;
        std::uint32_t digits = 0, numbers = 0, mathOps = 0, codePunct = 0, otherPunct = 0, upper = 0;
        std::uint32_t nonAscii = 0, codeFences = 0, latex = 0, listItems = 0, options = 0;
        std::uint32_t wordTokens = 0, digitTokens = 0, punctTokens = 0;
        std::array<std::uint16_t, kGroupCount> groups{};
    };

    enum DenseFeature : unsigned char {
        Length,
        WordCount,
        LineCount,
        QuestionMarks,
        DigitShare,
        MathShare,
        CodePunctShare,
        CodeFence,
        Latex,
        UpperShare,
        AvgWordLength,
        SentenceCount,
        ListItems,
        ReasoningWords,
        FactualWords,
        CodeWords,
        ThoroughWords,
        ConstraintWords,
        Options,
        NumberCount,
        NonAsciiShare,
        ShortPrompt,
        MathWords,
        CreativeWords,
        kDenseCount
    };
    static const std::array<std::string_view, kDenseCount> kDenseNames;

    static constexpr unsigned kHashBits = 14;
    static constexpr std::uint32_t kHashBuckets = 1u << kHashBits;

    // Scans `text`, calling onHashed(bucket, slot) for every word unigram and bigram.
    template <typename OnHashed>
    static Counts scan(std::string_view text, OnHashed &&onHashed);
    static Counts scan(std::string_view text)
    {
        return scan(text, [](std::uint32_t, unsigned) {});
    }

    static void denseFeatures(const Counts &counts, std::array<float, kDenseCount> &out);
    // Scale applied to each hashed occurrence: 1/sqrt(words), so long prompts don't dominate.
    static float hashedScale(const Counts &counts);
    static Task task(const Counts &counts);
    // Estimated tokens of a BPE tokenizer of the cl100k/o200k family (docs/SCORER.md gives its error).
    static std::int64_t tokenEstimate(const Counts &counts);

private:
    // Word classes first (Lower, Upper, High), then the rest; Newline and Backtick last, for the slow path.
    enum CharClass : unsigned char {
        Lower,
        Upper,
        High,
        Digit,
        Space,
        CodeP,
        MathP,
        Question,
        SentenceEnd,
        Backslash,
        Dollar,
        OtherP,
        Newline,
        Backtick,
        kClassCount
    };
    static const std::array<CharClass, 256> kClasses;

public:
    // Keywords by hash, open addressing, built at compile time in promptanalyzer.cpp.
    static constexpr std::size_t kKeywordSlots = 512;
    struct KeywordTable {
        std::array<std::uint32_t, kKeywordSlots> hashes{};
        std::array<signed char, kKeywordSlots> groups{};
    };
    static const KeywordTable kKeywords;
    static int keywordGroup(std::uint32_t hash)
    {
        std::size_t slot = hash & (kKeywordSlots - 1);
        while (kKeywords.groups[slot] >= 0) {
            if (kKeywords.hashes[slot] == hash)
                return kKeywords.groups[slot];
            slot = (slot + 1) & (kKeywordSlots - 1);
        }
        return -1;
    }

public:
    // The hash of a word, lower-cased (ASCII letters), eight bytes at a time. `size` is the length of
    // the whole text, so loads never read past it.
    // It also counts the word's upper-case ASCII letters and non-ASCII bytes, eight bytes at a time.
    static std::uint32_t wordHash(const unsigned char *data, std::size_t begin, std::size_t end, std::size_t size,
                                  std::uint32_t &upper, std::uint32_t &high)
    {
        constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
        constexpr std::uint64_t kOnes = 0x0101010101010101ull;
        // The number of bytes of x (whose bits are only ever 0x80 bits) that are set.
        auto countHighBits = [](std::uint64_t x) { return static_cast<std::uint32_t>(((x >> 7) * kOnes) >> 56); };
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (end - begin);
        for (std::size_t p = begin; p < end; p += 8) {
            const std::size_t n = end - p < 8 ? end - p : 8;
            std::uint64_t v = 0;
            if (p + 8 <= size)
                std::memcpy(&v, data + p, 8); // one unaligned load; bytes past the word are masked off
            else
                for (std::size_t k = 0; k < n; ++k)
                    v |= static_cast<std::uint64_t>(data[p + k]) << (8 * k);
            const std::uint64_t mask = n == 8 ? ~0ull : (1ull << (8 * n)) - 1;
            v &= mask;
            const std::uint64_t low7 = v & ~kHighBits;
            const std::uint64_t atLeastA = low7 + 0x3F3F3F3F3F3F3F3Full; // high bit set where a byte is >= 'A'
            const std::uint64_t aboveZ = low7 + 0x2525252525252525ull;   // high bit set where a byte is > 'Z'
            upper += countHighBits(atLeastA & ~aboveZ & ~v & kHighBits);
            high += countHighBits(v & kHighBits);
            v |= 0x2020202020202020ull & mask; // ASCII lower case
            h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
            h ^= h >> 31;
        }
        return static_cast<std::uint32_t>(h ^ (h >> 32));
    }
};

template <typename OnHashed>
PromptAnalyzer::Counts PromptAnalyzer::scan(std::string_view text, OnHashed &&onHashed)
{
    // Tight inner loops run over words and digit runs (one table lookup and one counter per byte); a
    // word is hashed whole, eight bytes at a time, when it ends. Everything else is one byte at a time.
    Counts c;
    c.bytes = static_cast<std::uint32_t>(text.size());
    std::array<std::uint32_t, kClassCount> perClass{};
    std::array<std::uint16_t, kGroupCount> groups{};
    const auto *data = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t size = text.size();
    std::uint32_t previous = 0; // hash of the previous word on this line, for bigrams
    std::uint32_t words = 0, wordBytes = 0, wordTokens = 0, numbers = 0, digitTokens = 0;
    std::uint32_t options = 0, listItems = 0, codeFences = 0, upper = 0, high = 0;
    bool lineStart = true;

    std::size_t i = 0;
    while (i < size) {
        CharClass cls = kClasses[data[i]];
        if (cls <= High) {
            const std::size_t start = i;
            if (lineStart && cls == Upper && data[i] <= 'F' && i + 1 < size
                && (data[i + 1] == '.' || data[i + 1] == ')'))
                ++options; // "A. …", "B) …": a multiple-choice option
            lineStart = false;
            do
                ++i;
            while (i < size && kClasses[data[i]] <= High);
            const auto length = static_cast<std::uint32_t>(i - start);
            const std::uint32_t hash = wordHash(data, start, i, size, upper, high);
            ++words;
            wordBytes += length;
            // Common English words are one BPE token; longer ones split about every five letters.
            wordTokens += 1 + (length > 7 ? (length - 3) / 5 : 0);
            const int group = keywordGroup(hash);
            if (group >= 0)
                ++groups[static_cast<std::size_t>(group)];
            // The slot (0..3) lets a caller keep independent sums, so additions do not wait on each other.
            const unsigned slot = (words & 1u) << 1;
            onHashed(hash & (kHashBuckets - 1), slot);
            if (previous != 0)
                onHashed(((previous * 31u) ^ (hash * 0x9E3779B1u)) & (kHashBuckets - 1), slot | 1u);
            previous = hash | 1u;
            continue;
        }
        if (cls == Digit) {
            const std::size_t start = i;
            while (i < size && kClasses[data[i]] == Digit)
                ++i;
            perClass[Digit] += static_cast<std::uint32_t>(i - start);
            ++numbers;
            digitTokens += static_cast<std::uint32_t>(i - start + 2) / 3; // BPE groups digits by three
            lineStart = false;
            continue;
        }
        ++perClass[cls];
        if (cls == Newline) {
            lineStart = true;
            previous = 0; // bigrams do not span lines
        } else if (cls != Space) {
            if (lineStart && (data[i] == '-' || data[i] == '*'))
                ++listItems;
            if (cls == Backtick && i >= 2 && data[i - 1] == '`' && data[i - 2] == '`' && (i < 3 || data[i - 3] != '`'))
                ++codeFences;
            lineStart = false;
        }
        ++i;
    }

    c.words = words;
    c.wordBytes = wordBytes;
    c.wordTokens = wordTokens;
    c.numbers = numbers;
    c.digitTokens = digitTokens;
    c.options = options;
    c.listItems = listItems;
    c.codeFences = codeFences;
    c.groups = groups;
    c.lines = 1 + perClass[Newline];
    c.upper = upper;
    c.nonAscii = high;
    c.digits = perClass[Digit];
    c.mathOps = perClass[MathP];
    c.codePunct = perClass[CodeP];
    c.questions = perClass[Question];
    c.sentences = perClass[Question] + perClass[SentenceEnd];
    c.latex = perClass[Backslash] + perClass[Dollar];
    c.otherPunct = perClass[OtherP];
    c.punctTokens = perClass[CodeP] + perClass[MathP] + perClass[Question] + perClass[SentenceEnd] + perClass[Backslash]
                    + perClass[Dollar] + perClass[OtherP] + perClass[Backtick];
    return c;
}

} // namespace rl
