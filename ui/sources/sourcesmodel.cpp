#include "sources/sourcesmodel.h"

#include "sources/sourcekinds.h"
#include "widgets/theme.h"

#include <QBrush>
#include <QLocale>

SourcesModel::SourcesModel(const Theme &theme, QObject *parent) : QAbstractTableModel(parent), m_theme(theme) {}

void SourcesModel::setSources(const QVector<SourceView> &sources, qint64 nowMs)
{
    beginResetModel();
    m_sources = sources;
    m_now = nowMs;
    endResetModel();
}

const SourceView *SourcesModel::sourceAt(int row) const
{
    return row >= 0 && row < m_sources.size() ? &m_sources[row] : nullptr;
}

int SourcesModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_sources.size(); ++i)
        if (QString::fromStdString(m_sources[i].settings.name) == name)
            return i;
    return -1;
}

int SourcesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_sources.size());
}

int SourcesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SourcesModel::ago(qint64 ms)
{
    if (ms < 60'000)
        return tr("just now");
    if (ms < 3'600'000)
        return tr("%1 min ago").arg(ms / 60'000);
    if (ms < 172'800'000)
        return tr("%1 h ago").arg(ms / 3'600'000);
    return tr("%1 d ago").arg(ms / 86'400'000);
}

QString SourcesModel::stateText(const SourceView &source)
{
    if (!source.notPolled.isEmpty())
        return tr("Not polled");
    switch (source.status.state) {
    case rl::SourceStatus::State::Polling: return tr("Polling…");
    case rl::SourceStatus::State::Paused: return tr("Paused");
    case rl::SourceStatus::State::Failing: return tr("Failing");
    case rl::SourceStatus::State::Waiting: return source.status.lastSuccessMs > 0 ? tr("OK") : tr("Waiting");
    }
    return {};
}

QVariant SourcesModel::data(const QModelIndex &index, int role) const
{
    const SourceView *source = sourceAt(index.row());
    if (!source)
        return {};
    const rl::SourceStatus &s = source->status;
    const qint64 lag = s.newestRecordMs > 0 ? std::max<qint64>(0, m_now - s.newestRecordMs) : -1;
    const QString error = !source->notPolled.isEmpty() ? source->notPolled
                          : s.lastError                ? QString::fromStdString(s.lastError->message)
                                                       : QString();
    if (role == SortRole) {
        switch (index.column()) {
        case NameColumn: return QString::fromStdString(source->settings.name);
        case TypeColumn: return QString::fromStdString(source->settings.kind);
        case StateColumn: return static_cast<int>(s.state);
        case LastSuccessColumn: return QVariant::fromValue<qint64>(s.lastSuccessMs);
        case RecordsColumn: return QVariant::fromValue<qint64>(s.recordsIngested);
        case LagColumn: return QVariant::fromValue<qint64>(lag);
        case IntervalColumn: return QVariant::fromValue<qint64>(source->settings.intervalS);
        case PolicyColumn: return m_routerPolicies.value(QString::fromStdString(source->settings.name));
        case ErrorColumn: return error;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole && (index.column() == ErrorColumn || index.column() == StateColumn))
        return error.isEmpty() ? QVariant() : QVariant(error);
    if (role == Qt::ForegroundRole && index.column() == StateColumn) {
        if (!source->notPolled.isEmpty() || s.state == rl::SourceStatus::State::Failing)
            return QBrush(m_theme.blocked());
        if (s.state == rl::SourceStatus::State::Paused)
            return QBrush(m_theme.warning());
        if (s.lastSuccessMs > 0)
            return QBrush(m_theme.good());
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == PolicyColumn
        && m_routerPolicies.value(QString::fromStdString(source->settings.name)).contains(QStringLiteral("drift")))
        return QBrush(m_theme.warning());
    if (role == Qt::ToolTipRole && index.column() == PolicyColumn && source->settings.kind == "router")
        return tr("What GET /admin/policy says this router runs, against the store's latest published version");
    if (role == Qt::TextAlignmentRole && (index.column() == RecordsColumn || index.column() == IntervalColumn))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn: return QString::fromStdString(source->settings.name);
    case TypeColumn: {
        const rl::SourceKindInfo *kind = rl::SourceKinds::find(source->settings.kind);
        return kind ? QString::fromStdString(kind->label) : QString::fromStdString(source->settings.kind);
    }
    case StateColumn: return stateText(*source);
    case LastSuccessColumn: return s.lastSuccessMs > 0 ? ago(m_now - s.lastSuccessMs) : tr("never");
    case RecordsColumn: return QLocale(QLocale::English).toString(s.recordsIngested);
    case LagColumn: return lag >= 0 ? ago(lag).replace(tr(" ago"), QString()) : QStringLiteral("—");
    case IntervalColumn:
        return source->settings.intervalS % 60 == 0 ? tr("%1 min").arg(source->settings.intervalS / 60)
                                                    : tr("%1 s").arg(source->settings.intervalS);
    case PolicyColumn: {
        if (source->settings.kind != "router")
            return QStringLiteral("—");
        const QString policy = m_routerPolicies.value(QString::fromStdString(source->settings.name));
        return policy.isEmpty() ? tr("not read yet") : policy;
    }
    case ErrorColumn: return error.section(QLatin1Char('\n'), 0, 0);
    default: return {};
    }
}

void SourcesModel::setRouterPolicies(const QHash<QString, QString> &policies)
{
    m_routerPolicies = policies;
    if (!m_sources.isEmpty())
        emit dataChanged(index(0, PolicyColumn), index(int(m_sources.size()) - 1, PolicyColumn));
}

QVariant SourcesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Source");
    case TypeColumn: return tr("Type");
    case StateColumn: return tr("State");
    case LastSuccessColumn: return tr("Last success");
    case RecordsColumn: return tr("Records");
    case LagColumn: return tr("Lag");
    case IntervalColumn: return tr("Every");
    case PolicyColumn: return tr("Policy");
    case ErrorColumn: return tr("Last error");
    default: return {};
    }
}
