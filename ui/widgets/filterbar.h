#pragma once

#include "store/usagequeries.h"

#include <QDate>
#include <QWidget>

class QComboBox;
class QDateEdit;

// The filters every page shares: a period (presets or a custom range), a team and a source.
class FilterBar : public QWidget {
    Q_OBJECT
public:
    enum Preset { ThisMonth, Last7Days, Last30Days, Last90Days, ThisQuarter, ThisYear, Custom };

    explicit FilterBar(QWidget *parent = nullptr);

    Preset preset() const;
    QDate customFrom() const;
    QDate customTo() const; // inclusive
    QString team() const;   // empty: all teams
    QString source() const; // empty: all sources

    void setPreset(Preset preset);

    // The days [fromDay, toDay) a preset means at `nowMs` in the organisation's calendar; every preset runs
    // to the end of today (Custom: customFrom..customTo inclusive).
    static rl::UsageFilter range(Preset preset, const rl::OrgCalendar &calendar, std::int64_t nowMs,
                                 QDate customFrom = {}, QDate customTo = {});
    // This bar's period, team and source at `nowMs`.
    rl::UsageFilter filter(const rl::OrgCalendar &calendar, std::int64_t nowMs) const;
    void setTeams(const QStringList &teams);
    void setSources(const QStringList &sources);

signals:
    void changed();

private:
    void refill(QComboBox *box, const QString &allLabel, const QStringList &items);

    QComboBox *m_period = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QComboBox *m_team = nullptr;
    QComboBox *m_source = nullptr;
};
