#pragma once

#include "pricing/tokenusage.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <string>
#include <string_view>

// Conversions the router's unit suites compare through: Qt Test prints QStrings, the router speaks
// std::string.
namespace routerunittext {

inline QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

inline std::string str(const QByteArray &bytes)
{
    return std::string(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

inline std::string str(const QString &text)
{
    return text.toStdString();
}

// Tokens as one comparable line, "none" when there are none.
inline QString tokenText(const std::optional<rl::TokenUsage> &usage)
{
    if (!usage)
        return QStringLiteral("none");
    return QStringLiteral("in=%1 cached=%2 write=%3 out=%4 reasoning=%5")
        .arg(usage->input)
        .arg(usage->cachedInput)
        .arg(usage->cacheWrite)
        .arg(usage->output)
        .arg(usage->reasoning);
}

} // namespace routerunittext
