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

// A change: "+$12.34", "−$5.00" (a minus sign, never accounting parentheses), "$0.00".
inline QString signedFull(std::int64_t microUsd)
{
    const QString amount = full(microUsd < 0 ? -microUsd : microUsd);
    return microUsd > 0 ? QStringLiteral("+") + amount : microUsd < 0 ? QStringLiteral("−") + amount : amount;
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

// A share that is never shown as 0 when it is not: "42 %", "3.8 %", "0.07 %", "< 0.01 %" (an hour into a
// month, budget use is small but not nothing).
inline QString usedPercent(double share)
{
    if (share <= 0)
        return percent(0);
    const double p = share * 100.0;
    if (p >= 10)
        return percent(share);
    if (p >= 1)
        return percent(share, 1);
    if (p >= 0.01)
        return percent(share, 2);
    return QStringLiteral("< 0.01 %");
}

} // namespace money
