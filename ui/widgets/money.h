#pragma once

#include <QLocale>
#include <QString>

#include <cstdint>

// Money and share formatting for display only; models keep raw micro-USD in their sort role.
namespace money {

// "$12,345.67"
inline QString full(std::int64_t microUsd)
{
    return QLocale(QLocale::English, QLocale::UnitedStates)
        .toCurrencyString(static_cast<double>(microUsd) / 1e6, QStringLiteral("$"), 2);
}

// "$1.2M", "$12.3k", "$950", "$0.42"
inline QString compact(std::int64_t microUsd)
{
    const double usd = static_cast<double>(microUsd) / 1e6;
    const double magnitude = usd < 0 ? -usd : usd;
    if (magnitude >= 1e6)
        return QStringLiteral("$%1M").arg(usd / 1e6, 0, 'f', 1);
    if (magnitude >= 1e4)
        return QStringLiteral("$%1k").arg(usd / 1e3, 0, 'f', 1);
    if (magnitude >= 100)
        return QStringLiteral("$%1").arg(QLocale(QLocale::English).toString(usd, 'f', 0));
    return QStringLiteral("$%1").arg(usd, 0, 'f', 2);
}

// "42.0 %"
inline QString percent(double share, int decimals = 0)
{
    return QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', decimals);
}

} // namespace money
