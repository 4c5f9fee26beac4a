#pragma once

#include "store/qualityqueries.h"
#include "widgets/theme.h"

#include <QAbstractTableModel>

#include <vector>

// The Quality table: one row per tier, rule, team or complexity band with its feedback and escalation rates.
// Every rate says what it is of ("12.5 % of 8") beside its 95 % interval, and is greyed under kSmallSample,
// so a handful of requests never reads as a finding. Display text in DisplayRole; raw values in SortRole.
class QualityModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        RequestsColumn,
        RatedColumn,
        ScoreColumn,
        NegativeColumn,
        NegativeRangeColumn,
        EscalatedColumn,
        EscalatedRangeColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr std::int64_t kSmallSample = 30; // below this many, a rate is shown greyed

    explicit QualityModel(const Theme &theme, QObject *parent = nullptr);
    void setRows(const std::vector<rl::QualityRow> &rows, rl::QualityGrouping grouping);
    rl::QualityGrouping grouping() const { return m_grouping; }
    const rl::QualityRow *rowAt(int row) const;

    // "3.2 %", "0 %"; "12.5 % of 8", "–" for none; the interval "3.2–47.1 %".
    static QString percentText(double share);
    static QString rateText(const rl::RateInterval &rate, std::int64_t n);
    static QString rangeText(const rl::RateInterval &rate, std::int64_t n);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QString nameOf(const rl::QualityRow &row) const;
    // The sample a column's figure is drawn from (0: not a rate).
    static std::int64_t sampleOf(const rl::QualityRow &row, int column);

    Theme m_theme;
    rl::QualityGrouping m_grouping = rl::QualityGrouping::Tier;
    std::vector<rl::QualityRow> m_rows;
};
