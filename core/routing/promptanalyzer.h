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
        Negation,  // not, except, never, false: questions that invert the usual answer
        Operation, // each, per, twice, half, remaining: arithmetic hidden in words
        Sequence,  // then, after, later, finally: steps that follow one another
        Unit,      // hours, dollars, miles: quantities to keep apart
        kGroupCount
    };

    struct Counts {
        std::uint32_t bytes = 0, words = 0, wordBytes = 0, lines = 1, sentences = 0, questions = 0;
        std::uint32_t digits = 0, numbers = 0, mathOps = 0, codePunct = 0, otherPunct = 0, upper = 0;
        std::uint32_t nonAscii = 0, codeFences = 0, latex = 0, listItems = 0, options = 0;
        std::uint32_t wordTokens = 0, digitTokens = 0, punctTokens = 0;
        // Numbers and steps (v2): digit runs that are not the decimals or thousands of another, distinct
        // values among the first kDistinctSlots, numbers of four digits or more, decimals, fractions,
        // percentages, amounts of money, sentences that hold a number, and words after the last number
        // outside answer options (the question asked of them).
        std::uint32_t quantities = 0, distinctNumbers = 0, largeNumbers = 0, decimals = 0, fractions = 0;
        std::uint32_t percents = 0, money = 0, numberSentences = 0, wordsAfterNumber = 0;
        // Answer options (v2): words on option lines, options whose text starts with a digit, and words
        // written in capitals ("NOT", "EXCEPT").
        std::uint32_t optionWords = 0, numericOptions = 0, capsWords = 0;
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
        // v2: numbers, steps and answer options.
        Quantities,
        DistinctNumbers,
        LargeNumbers,
        Decimals,
        Fractions,
        Percents,
        Money,
        NumberSentences,
        WordsAfterNumber,
        OperationWords,
        SequenceWords,
        UnitWords,
        NegationWords,
        CapsWords,
        OptionLength,
        NumericOptions,
        StemWords,
        WordProblem,
        kDenseCount
    };
    static const std::array<std::string_view, kDenseCount> kDenseNames;

    // The dense features of the first weights format (routeledger.scorer/v1), which come first.
    static constexpr std::size_t kDenseCountV1 = CreativeWords + 1;
    static constexpr std::size_t kDistinctSlots = 16;
    // 2^16 buckets: at 2^14 (v1) the unigrams, bigrams and stems of the labelled prompts collided enough
    // to cost about 0.01 APGR (docs/SCORER.md). A bucket of v1 is the low 14 bits of one here.
    static constexpr unsigned kHashBits = 16;
    static constexpr unsigned kHashBitsV1 = 14;
    // Words longer than this also count by their first kStemLength letters, a crude stem.
    static constexpr std::uint32_t kStemLength = 6;
    static constexpr std::uint32_t kHashBuckets = 1u << kHashBits;

    // Scans `text`, calling onHashed(bucket, slot) for every word unigram, bigram and stem.
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
    static constexpr std::size_t kKeywordSlots = 1024; // under a quarter full: probes stay short
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
    // The hash of a word's first kStemLength bytes, lower-cased; the word must be longer than that.
    static std::uint32_t stemHash(const unsigned char *word)
    {
        constexpr std::uint64_t kMask = (1ull << (8 * kStemLength)) - 1;
        std::uint64_t v = 0;
        std::memcpy(&v, word, kStemLength);
        v = (v | (0x2020202020202020ull & kMask)) ^ 0x51ED270B27C3A9F5ull;
        std::uint64_t h = v * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        return static_cast<std::uint32_t>(h >> 32);
    }

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
    std::uint32_t quantities = 0, largeNumbers = 0, decimals = 0, fractions = 0, percents = 0, money = 0;
    std::uint32_t numberSentences = 0, optionWords = 0, numericOptions = 0, capsWords = 0;
    // Word counts are read at the rare events (an option starts or ends, a number) rather than kept per
    // word: the word loop is the hot path of every routing decision.
    std::uint32_t optionStart = 0;                                                 // words before this option line
    std::uint32_t wordsAtNumber = 0, optionWordsAtNumber = 0, optionsAtNumber = 0; // at the last stem number
    std::array<std::uint64_t, kDistinctSlots> seen{}; // distinct number values, on the stack
    std::uint32_t distinct = 0;
    bool lineStart = true;
    bool optionLine = false; // this line is a multiple-choice option
    bool numberInSentence = false;
    std::uint32_t stemNumbers = 0; // numbers outside answer options

    std::size_t i = 0;
    while (i < size) {
        CharClass cls = kClasses[data[i]];
        if (cls <= High) {
            const std::size_t start = i;
            if (lineStart && cls == Upper && data[i] <= 'F' && i + 1 < size
                && (data[i + 1] == '.' || data[i + 1] == ')')) [[unlikely]] {
                ++options; // "A. …", "B) …": a multiple-choice option
                optionLine = true;
                optionStart = words + 1;   // the letter is not a word of the option's text
                std::size_t first = i + 2; // the option's first character: "A. 42", "B) $5", "C. -3"
                while (first < size && (data[first] == ' ' || data[first] == '$' || data[first] == '-'))
                    ++first;
                numericOptions += first < size && kClasses[data[first]] == Digit;
            }
            lineStart = false;
            do
                ++i;
            while (i < size && kClasses[data[i]] <= High);
            const auto length = static_cast<std::uint32_t>(i - start);
            const std::uint32_t upperBefore = upper;
            const std::uint32_t hash = wordHash(data, start, i, size, upper, high);
            if (cls == Upper && length >= 3) // "NOT", "EXCEPT"
                capsWords += upper - upperBefore == length;
            ++words;
            wordBytes += length;
            // Common English words are one BPE token; longer ones split about every five letters.
            wordTokens += 1 + (length > 7 ? (length - 3) / 5 : 0);
            const int group = keywordGroup(hash);
            if (group >= 0)
                ++groups[static_cast<std::size_t>(group)];
            // The slot (0..3) lets a caller keep independent sums, so additions do not wait on each other;
            // bit 2 (slots 4 and 6) marks a stem, which v1 weights never saw.
            const unsigned slot = (words & 1u) << 1;
            onHashed(hash & (kHashBuckets - 1), slot);
            if (length > kStemLength) // "economics", "economy" and "economist" share "econom"
                onHashed(stemHash(data + start) & (kHashBuckets - 1), slot | 4u);
            if (previous != 0)
                onHashed(((previous * 31u) ^ (hash * 0x9E3779B1u)) & (kHashBuckets - 1), slot | 1u);
            previous = hash | 1u;
            continue;
        }
        if (cls == Digit) {
            const std::size_t start = i;
            std::uint64_t value = 0; // wraps on very long runs, which only blurs distinctness
            do {
                value = value * 10u + static_cast<unsigned>(data[i] - '0');
                ++i;
            } while (i < size && kClasses[data[i]] == Digit);
            const auto length = static_cast<std::uint32_t>(i - start);
            perClass[Digit] += length;
            ++numbers;
            digitTokens += (length + 2) / 3; // BPE groups digits by three
            lineStart = false;
            // What the characters around the run make of it: "3.5", "1/2", "80,000", "$20", "15%".
            const unsigned char before = start > 0 ? data[start - 1] : ' ';
            const bool afterDigit = start > 1 && kClasses[data[start - 2]] == Digit;
            const bool decimal = afterDigit && before == '.';
            const bool thousands = afterDigit && before == ',' && length == 3;
            decimals += decimal;
            fractions += afterDigit && before == '/';
            largeNumbers += length >= 4 || thousands;
            money += before == '$';
            percents += i < size && data[i] == '%';
            if (!decimal && !thousands) {
                ++quantities;
                std::uint32_t k = 0;
                while (k < distinct && seen[k] != value)
                    ++k;
                if (k == distinct && distinct < kDistinctSlots)
                    seen[distinct++] = value;
            }
            numberInSentence = true;
            if (!optionLine) {
                ++stemNumbers;
                wordsAtNumber = words;
                optionWordsAtNumber = optionWords;
                optionsAtNumber = options;
            }
            continue;
        }
        ++perClass[cls];
        if (cls == Newline) {
            lineStart = true;
            previous = 0; // bigrams do not span lines
            numberSentences += numberInSentence;
            if (optionLine)
                optionWords += words - optionStart;
            numberInSentence = optionLine = false;
        } else if (cls != Space) {
            // A sentence ends at ". ", "?" or "!", not inside "3.5".
            if ((cls == SentenceEnd || cls == Question) && (i + 1 >= size || kClasses[data[i + 1]] != Digit)) {
                numberSentences += numberInSentence;
                numberInSentence = false;
            }
            if (lineStart && (data[i] == '-' || data[i] == '*'))
                ++listItems;
            if (cls == Backtick && i >= 2 && data[i - 1] == '`' && data[i - 2] == '`' && (i < 3 || data[i - 3] != '`'))
                ++codeFences;
            lineStart = false;
        }
        ++i;
    }

    c.quantities = quantities;
    c.distinctNumbers = distinct;
    c.largeNumbers = largeNumbers;
    c.decimals = decimals;
    c.fractions = fractions;
    c.percents = percents;
    c.money = money;
    c.numberSentences = numberSentences + numberInSentence;
    if (optionLine)
        optionWords += words - optionStart;
    // Words after the last number outside options: all words since, less the options' words and letters.
    c.wordsAfterNumber =
        stemNumbers ? (words - wordsAtNumber) - (optionWords - optionWordsAtNumber) - (options - optionsAtNumber) : 0;
    c.optionWords = optionWords;
    c.numericOptions = numericOptions;
    c.capsWords = capsWords;
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
