#pragma once

#include "routing/task.h"

#include <array>
#include <cstdint>
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

    // Scans `text`, calling onHashed(bucket) for every word unigram and bigram.
    template <typename OnHashed>
    static Counts scan(std::string_view text, OnHashed &&onHashed);
    static Counts scan(std::string_view text)
    {
        return scan(text, [](std::uint32_t) {});
    }

    static void denseFeatures(const Counts &counts, std::array<float, kDenseCount> &out);
    // Scale applied to each hashed occurrence: 1/sqrt(words), so long prompts don't dominate.
    static float hashedScale(const Counts &counts);
    static Task task(const Counts &counts);
    // Estimated tokens of a BPE tokenizer of the cl100k/o200k family (docs/SCORER.md gives its error).
    static std::int64_t tokenEstimate(const Counts &counts);

private:
    enum CharClass : unsigned char {
        Lower,
        Upper,
        Digit,
        Space,
        Newline,
        CodeP,
        MathP,
        Question,
        SentenceEnd,
        Backtick,
        Backslash,
        Dollar,
        OtherP,
        High
    };
    static const std::array<CharClass, 256> kClasses;
    static int keywordGroup(std::uint32_t hash);
    static void endWord(Counts &counts, std::uint32_t length);
};

template <typename OnHashed>
PromptAnalyzer::Counts PromptAnalyzer::scan(std::string_view text, OnHashed &&onHashed)
{
    constexpr std::uint32_t kFnvOffset = 2166136261u;
    constexpr std::uint32_t kFnvPrime = 16777619u;
    Counts c;
    c.bytes = static_cast<std::uint32_t>(text.size());
    std::uint32_t hash = kFnvOffset;
    std::uint32_t previous = 0;
    std::uint32_t wordLength = 0;
    std::uint32_t digitRun = 0;
    std::uint32_t backticks = 0;
    bool lineStart = true;
    const auto *data = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t size = text.size();

    auto finishWord = [&]() {
        if (wordLength == 0)
            return;
        endWord(c, wordLength);
        const int group = keywordGroup(hash);
        if (group >= 0)
            ++c.groups[static_cast<std::size_t>(group)];
        onHashed(hash & (kHashBuckets - 1));
        if (previous != 0)
            onHashed(((previous * 31u) ^ (hash * 0x9E3779B1u)) & (kHashBuckets - 1));
        previous = hash | 1u;
        hash = kFnvOffset;
        wordLength = 0;
    };

    for (std::size_t i = 0; i < size; ++i) {
        const unsigned char ch = data[i];
        const CharClass cls = kClasses[ch];
        if (cls == Backtick) {
            if (++backticks == 3)
                ++c.codeFences;
        } else {
            backticks = 0;
        }
        if (cls == Digit) {
            ++c.digits;
            if (digitRun++ == 0)
                ++c.numbers;
        } else if (digitRun) {
            c.digitTokens += (digitRun + 2) / 3;
            digitRun = 0;
        }
        if (cls <= Upper || cls == High) {
            if (cls == Upper) {
                ++c.upper;
                if (lineStart && i + 1 < size && (data[i + 1] == '.' || data[i + 1] == ')') && ch <= 'F')
                    ++c.options;
            }
            if (cls == High)
                ++c.nonAscii;
            // Lower-case ASCII on the fly so "Why" and "why" hash alike.
            hash = (hash ^ (cls == Upper ? static_cast<std::uint32_t>(ch | 0x20) : ch)) * kFnvPrime;
            ++wordLength;
            lineStart = false;
            continue;
        }
        if (cls == Digit) {
            lineStart = false;
            continue; // numbers are counted above, not hashed: "42" and "43" say the same thing here
        }
        finishWord();
        switch (cls) {
        case Space: break;
        case Newline:
            ++c.lines;
            lineStart = true;
            previous = 0; // bigrams do not span lines
            continue;
        case CodeP:
            ++c.codePunct;
            ++c.punctTokens;
            break;
        case MathP:
            ++c.mathOps;
            ++c.punctTokens;
            if (lineStart && (ch == '-' || ch == '*'))
                ++c.listItems;
            break;
        case Question:
            ++c.questions;
            ++c.sentences;
            ++c.punctTokens;
            break;
        case SentenceEnd:
            ++c.sentences;
            ++c.punctTokens;
            break;
        case Backslash:
            ++c.latex;
            ++c.punctTokens;
            break;
        case Dollar:
            ++c.latex;
            ++c.punctTokens;
            break;
        default:
            ++c.otherPunct;
            ++c.punctTokens;
            break;
        }
        if (cls != Space)
            lineStart = false;
    }
    finishWord();
    if (digitRun)
        c.digitTokens += (digitRun + 2) / 3;
    return c;
}

} // namespace rl
