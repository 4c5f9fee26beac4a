#pragma once

#include "dashboardsnapshot.h"
#include "widgets/theme.h"

#include <QWidget>

class QChartView;
class QLabel;
class QStackedWidget;
class QStandardItemModel;
class QTableView;

// Routing: the tier mix over time with policy-version markers, hits per rule, fallback and error rates,
// and latency p50/p95 by model.
class RoutingPage : public QWidget {
    Q_OBJECT
public:
    explicit RoutingPage(const Theme &theme, QWidget *parent = nullptr);
    void setSnapshot(const DashboardSnapshot &snapshot);

    QStandardItemModel *rulesModel() const { return m_rules; }
    QStandardItemModel *latencyModel() const { return m_latency; }
    int policyMarkers() const { return m_markers; }

private:
    void showMix(const DashboardSnapshot &snapshot);
    void showQuality(const DashboardSnapshot &snapshot);

    Theme m_theme;
    QLabel *m_mixTitle = nullptr;
    QLabel *m_qualityTitle = nullptr;
    QStackedWidget *m_mixStack = nullptr;
    QStackedWidget *m_qualityStack = nullptr;
    QLabel *m_mixEmpty = nullptr;
    QLabel *m_qualityEmpty = nullptr;
    QChartView *m_mixView = nullptr;
    QChartView *m_qualityView = nullptr;
    QStandardItemModel *m_rules = nullptr;
    QStandardItemModel *m_latency = nullptr;
    int m_markers = 0;
};
