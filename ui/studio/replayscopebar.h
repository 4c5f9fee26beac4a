#pragma once

#include "clock.h"
#include "store/usagequeries.h"

#include <QDate>
#include <QWidget>

class QComboBox;
class QDateEdit;

// "Requests from [date] to [date] [team]": the period and team whose stored requests the studio's Simulate and
// Calibrate tabs read. The period defaults to the 30 days up to today by the injected clock; days are UTC dates.
class ReplayScopeBar : public QWidget {
    Q_OBJECT
public:
    explicit ReplayScopeBar(QWidget *parent = nullptr);

    void setClock(const rl::Clock &clock);
    void setPeriod(const QDate &from, const QDate &to);
    void setTeams(const QStringList &teams);
    void setTeam(const QString &team);

    // False when the period ends before it starts.
    bool isValid() const;
    // Days [from, to + 1) and the team (empty: all).
    rl::UsageFilter scope() const;

private:
    QDateEdit *m_from = nullptr, *m_to = nullptr;
    QComboBox *m_team = nullptr;
};
