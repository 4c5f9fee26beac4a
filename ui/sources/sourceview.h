#pragma once

#include "sources/sourcescheduler.h"
#include "store/sourcesettings.h"

#include <QMetaType>
#include <QString>
#include <QVector>

// One configured source as the Sources page shows it: its settings, the scheduler's status, and why it
// is not polled when it is not (no credential in the keychain, ...).
struct SourceView {
    rl::SourceSettings settings;
    rl::SourceStatus status;
    QString notPolled; // empty when the scheduler runs it
};

Q_DECLARE_METATYPE(SourceView)
Q_DECLARE_METATYPE(QVector<SourceView>)
