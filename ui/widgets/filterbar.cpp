#include "widgets/filterbar.h"

#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

FilterBar::FilterBar(QWidget *parent) : QWidget(parent)
{
    m_period = new QComboBox(this);
    m_period->addItems({tr("This month"), tr("Last 7 days"), tr("Last 30 days"), tr("Last 90 days"), tr("This quarter"),
                        tr("This year"), tr("Custom range")});
    m_from = new QDateEdit(QDate::currentDate().addDays(-29), this);
    m_to = new QDateEdit(QDate::currentDate(), this);
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setVisible(false);
    }
    m_team = new QComboBox(this);
    m_source = new QComboBox(this);
    refill(m_team, tr("All teams"), {});
    refill(m_source, tr("All sources"), {});
    m_team->setMinimumContentsLength(14);
    m_source->setMinimumContentsLength(14);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_period);
    layout->addWidget(m_from);
    layout->addWidget(m_to);
    layout->addSpacing(8);
    layout->addWidget(m_team);
    layout->addWidget(m_source);
    layout->addStretch(1);

    connect(m_period, &QComboBox::currentIndexChanged, this, [this](int index) {
        const bool custom = index == Custom;
        m_from->setVisible(custom);
        m_to->setVisible(custom);
        emit changed();
    });
    connect(m_from, &QDateEdit::dateChanged, this, &FilterBar::changed);
    connect(m_to, &QDateEdit::dateChanged, this, &FilterBar::changed);
    connect(m_team, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
    connect(m_source, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
}

rl::UsageFilter FilterBar::range(Preset preset, const rl::OrgCalendar &calendar, std::int64_t nowMs, QDate customFrom,
                                 QDate customTo)
{
    rl::UsageFilter filter;
    const std::int64_t today = calendar.dayOf(nowMs);
    std::int64_t first = today, end = today + 1;
    constexpr qint64 kJulian1970 = 2440588; // Julian day of 1970-01-01
    switch (preset) {
    case ThisMonth: calendar.periodContaining(today, rl::BudgetPeriod::Month, first, end); break;
    case ThisQuarter: calendar.periodContaining(today, rl::BudgetPeriod::Quarter, first, end); break;
    case ThisYear: calendar.periodContaining(today, rl::BudgetPeriod::Year, first, end); break;
    case Last7Days: first = today - 6; break;
    case Last30Days: first = today - 29; break;
    case Last90Days: first = today - 89; break;
    case Custom: first = customFrom.isValid() ? customFrom.toJulianDay() - kJulian1970 : today; break;
    }
    end = preset == Custom && customTo.isValid() ? customTo.toJulianDay() - kJulian1970 + 1 : today + 1;
    filter.fromDay = first;
    filter.toDay = std::max(end, first + 1);
    return filter;
}

rl::UsageFilter FilterBar::filter(const rl::OrgCalendar &calendar, std::int64_t nowMs) const
{
    rl::UsageFilter out = range(preset(), calendar, nowMs, customFrom(), customTo());
    out.team = team().toStdString();
    out.source = source().toStdString();
    return out;
}

FilterBar::Preset FilterBar::preset() const
{
    return static_cast<Preset>(m_period->currentIndex());
}
QDate FilterBar::customFrom() const
{
    return m_from->date();
}
QDate FilterBar::customTo() const
{
    return m_to->date();
}
QString FilterBar::team() const
{
    return m_team->currentIndex() > 0 ? m_team->currentText() : QString();
}
QString FilterBar::source() const
{
    return m_source->currentIndex() > 0 ? m_source->currentText() : QString();
}
void FilterBar::setPreset(Preset preset)
{
    m_period->setCurrentIndex(preset);
}
void FilterBar::setTeams(const QStringList &teams)
{
    refill(m_team, tr("All teams"), teams);
}
void FilterBar::setSources(const QStringList &sources)
{
    refill(m_source, tr("All sources"), sources);
}

void FilterBar::refill(QComboBox *box, const QString &allLabel, const QStringList &items)
{
    const QString keep = box->currentIndex() > 0 ? box->currentText() : QString();
    const QSignalBlocker blocker(box);
    box->clear();
    box->addItem(allLabel);
    box->addItems(items);
    const int index = keep.isEmpty() ? 0 : box->findText(keep);
    box->setCurrentIndex(index < 0 ? 0 : index);
}
