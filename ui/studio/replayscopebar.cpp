#include "replayscopebar.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>

ReplayScopeBar::ReplayScopeBar(QWidget *parent) : QWidget(parent)
{
    m_from = new QDateEdit(this);
    m_from->setObjectName(QStringLiteral("scopeFrom"));
    m_to = new QDateEdit(this);
    m_to->setObjectName(QStringLiteral("scopeTo"));
    for (QDateEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    }
    m_team = new QComboBox(this);
    m_team->setObjectName(QStringLiteral("scopeTeam"));
    m_team->addItem(tr("All teams"), QString());
    m_team->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_team->setMinimumContentsLength(12);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Requests from"), this));
    row->addWidget(m_from);
    row->addWidget(new QLabel(tr("to"), this));
    row->addWidget(m_to);
    row->addWidget(m_team, 1);
    setClock(rl::systemClock());
}

void ReplayScopeBar::setClock(const rl::Clock &clock)
{
    const QDate today =
        QDateTime::fromMSecsSinceEpoch(rl::readClock(clock ? clock : rl::systemClock()), Qt::UTC).date();
    setPeriod(today.addDays(-29), today);
}

void ReplayScopeBar::setPeriod(const QDate &from, const QDate &to)
{
    m_from->setDate(from);
    m_to->setDate(to);
}

void ReplayScopeBar::setTeams(const QStringList &teams)
{
    const QString current = m_team->currentData().toString();
    m_team->clear();
    m_team->addItem(tr("All teams"), QString());
    for (const QString &team : teams)
        m_team->addItem(tr("Team %1").arg(team), team);
    setTeam(current);
}

void ReplayScopeBar::setTeam(const QString &team)
{
    const int index = m_team->findData(team);
    m_team->setCurrentIndex(index < 0 ? 0 : index);
}

bool ReplayScopeBar::isValid() const
{
    return m_from->date() <= m_to->date();
}

rl::UsageFilter ReplayScopeBar::scope() const
{
    rl::UsageFilter scope;
    scope.fromDay = QDate(1970, 1, 1).daysTo(m_from->date());
    scope.toDay = QDate(1970, 1, 1).daysTo(m_to->date()) + 1;
    scope.team = m_team->currentData().toString().toStdString();
    return scope;
}
