#include "quality/qualitymodel.h"

#include <QBrush>
#include <QLocale>

namespace {

QString count(std::int64_t n)
{
    return QLocale(QLocale::English).toString(qlonglong(n));
}

} // namespace

QString QualityModel::percentText(double share)
{
    // One decimal, so a column of rates lines up; none and all are plain.
    const double p = share * 100.0;
    return QStringLiteral("%1 %").arg(p, 0, 'f', p <= 0 || p >= 100 ? 0 : 1);
}

QualityModel::QualityModel(const Theme &theme, QObject *parent) : QAbstractTableModel(parent), m_theme(theme) {}

void QualityModel::setRows(const std::vector<rl::QualityRow> &rows, rl::QualityGrouping grouping)
{
    beginResetModel();
    m_rows = rows;
    m_grouping = grouping;
    endResetModel();
    emit headerDataChanged(Qt::Horizontal, NameColumn, NameColumn); // the first column names the grouping
}

const rl::QualityRow *QualityModel::rowAt(int row) const
{
    return row >= 0 && row < rowCount() ? &m_rows[static_cast<std::size_t>(row)] : nullptr;
}

QString QualityModel::rateText(const rl::RateInterval &rate, std::int64_t n)
{
    return n > 0 ? tr("%1 of %2").arg(percentText(rate.rate), count(n)) : QStringLiteral("–");
}

QString QualityModel::rangeText(const rl::RateInterval &rate, std::int64_t n)
{
    if (n <= 0)
        return QStringLiteral("–");
    return QStringLiteral("%1–%2").arg(percentText(rate.low).chopped(2), percentText(rate.high));
}

int QualityModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int QualityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString QualityModel::nameOf(const rl::QualityRow &row) const
{
    if (!row.name.empty())
        return QString::fromStdString(row.name);
    switch (m_grouping) {
    case rl::QualityGrouping::Tier: return tr("(no tier)");
    case rl::QualityGrouping::Rule: return tr("(no rule)");
    case rl::QualityGrouping::Team: return tr("unassigned");
    case rl::QualityGrouping::ComplexityBand: break;
    }
    return tr("no score");
}

std::int64_t QualityModel::sampleOf(const rl::QualityRow &row, int column)
{
    switch (column) {
    case ScoreColumn:
    case NegativeColumn:
    case NegativeRangeColumn: return row.rated;
    case EscalatedColumn:
    case EscalatedRangeColumn: return row.requests;
    default: return 0;
    }
}

QVariant QualityModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const rl::QualityRow &r = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const rl::RateInterval negative = r.negativeRate(), escalated = r.escalationRate(), rated = r.feedbackRate();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return nameOf(r);
        case RequestsColumn: return count(r.requests);
        case RatedColumn:
            return r.rated > 0 ? QStringLiteral("%1 (%2)").arg(count(r.rated), percentText(rated.rate))
                               : QStringLiteral("0");
        case ScoreColumn: return r.rated > 0 ? QString::number(r.meanScore(), 'f', 2) : QStringLiteral("–");
        case NegativeColumn: return rateText(negative, r.rated);
        case NegativeRangeColumn: return rangeText(negative, r.rated);
        case EscalatedColumn: return rateText(escalated, r.requests);
        case EscalatedRangeColumn: return rangeText(escalated, r.requests);
        }
        break;
    case SortRole:
        switch (column) {
        case NameColumn:
            // Tiers by rank and bands in order, as the report lists them; rules and teams by name.
            if (m_grouping == rl::QualityGrouping::Tier || m_grouping == rl::QualityGrouping::ComplexityBand)
                return r.order < 0 ? 1'000'000 : r.order;
            return QString::fromStdString(r.name);
        case RequestsColumn: return qlonglong(r.requests);
        case RatedColumn: return qlonglong(r.rated);
        case ScoreColumn: return r.rated > 0 ? r.meanScore() : -1.0;
        case NegativeColumn: return r.rated > 0 ? negative.rate : -1.0;
        case NegativeRangeColumn: return r.rated > 0 ? negative.low : -1.0;
        case EscalatedColumn: return r.requests > 0 ? escalated.rate : -1.0;
        case EscalatedRangeColumn: return r.requests > 0 ? escalated.low : -1.0;
        }
        break;
    case Qt::TextAlignmentRole:
        return column == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                    : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == NameColumn && m_grouping == rl::QualityGrouping::Tier)
            return QBrush(r.order >= 0 ? m_theme.tierColor(r.order) : m_theme.mutedText());
        if (column == NameColumn && r.name.empty())
            return QBrush(m_theme.mutedText());
        if (const std::int64_t n = sampleOf(r, column); column >= ScoreColumn && n < kSmallSample)
            return QBrush(m_theme.mutedText()); // too few to read much into
        break;
    case Qt::FontRole:
        if (column == NameColumn && m_grouping == rl::QualityGrouping::Tier && r.order >= 0) {
            QFont font = m_theme.bodyFont();
            font.setWeight(QFont::DemiBold);
            return font;
        }
        break;
    case Qt::ToolTipRole: {
        const QString few = sampleOf(r, column) < kSmallSample && sampleOf(r, column) > 0
                                ? tr(" Fewer than %1: read it as a hint, not a finding.").arg(kSmallSample)
                                : QString();
        switch (column) {
        case RatedColumn:
            return tr("%1 of %2 requests got feedback from the client.").arg(count(r.rated), count(r.requests));
        case ScoreColumn:
            return r.rated > 0 ? tr("The mean of %1 scores (0 to 1; thumbs up is 1, down 0).").arg(count(r.rated)) + few
                               : tr("No feedback.");
        case NegativeColumn:
        case NegativeRangeColumn:
            return r.rated > 0 ? tr("%1 of %2 rated requests scored below 0.5; 95 % interval %3.")
                                         .arg(count(r.negative), count(r.rated), rangeText(negative, r.rated))
                                     + few
                               : tr("No feedback.");
        case EscalatedColumn:
        case EscalatedRangeColumn:
            return tr("%1 of %2 requests were asked again at a more capable tier; 95 % interval %3.")
                       .arg(count(r.escalated), count(r.requests), rangeText(escalated, r.requests))
                   + few;
        default: break;
        }
        break;
    }
    default: break;
    }
    return {};
}

QVariant QualityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::TextAlignmentRole)
        return section == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                     : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case NegativeColumn: return tr("Rated requests that scored below 0.5 (a thumbs down is 0)");
        case EscalatedColumn:
            return tr("Requests the same user and app asked again minutes later at a more capable tier: a sign "
                      "the answer did not do");
        case NegativeRangeColumn:
        case EscalatedRangeColumn:
            return tr("The Wilson 95 % interval: where the true rate likely lies, wide for few requests");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        switch (m_grouping) {
        case rl::QualityGrouping::Tier: return tr("Tier");
        case rl::QualityGrouping::Rule: return tr("Rule");
        case rl::QualityGrouping::Team: return tr("Team");
        case rl::QualityGrouping::ComplexityBand: return tr("Complexity");
        }
        break;
    case RequestsColumn: return tr("Requests");
    case RatedColumn: return tr("With feedback");
    case ScoreColumn: return tr("Mean score");
    case NegativeColumn: return tr("Rated low");
    case NegativeRangeColumn: return tr("95 % interval");
    case EscalatedColumn: return tr("Escalated");
    case EscalatedRangeColumn: return tr("95 % interval");
    }
    return {};
}
