#pragma once

#include "widgets/theme.h"

#include <QString>
#include <QWidget>

#include <map>
#include <string>
#include <vector>

// Two horizontal 100 % bars, the baseline's tier mix above the draft's, each segment in its tier's colour
// (blocked in red, "none" in grey) with its share written inside when it fits, and a legend below.
class TierMixBars : public QWidget {
    Q_OBJECT
public:
    struct Bar {
        QString label;
        std::map<std::string, std::int64_t> requests; // tier name → requests
    };

    explicit TierMixBars(const Theme &theme, QWidget *parent = nullptr);

    // `tiers`: the tier names in order (most capable first), then "none" and "blocked" where used.
    void setBars(const std::vector<std::string> &tiers, const std::vector<Bar> &bars);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QColor colorOf(const std::string &tier, int index) const;

    Theme m_theme;
    std::vector<std::string> m_tiers;
    std::vector<Bar> m_bars;
};
