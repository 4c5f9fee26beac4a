#pragma once

#include "error.h"
#include "store/usagerecords.h"

#include <optional>
#include <string>

namespace rl {

// Where a source's pages go: its stored cursor, and each page with its new cursor in one transaction.
// UsageStore is one; the app's store service is another (it runs both on the store's only writer thread),
// so pollers on their own threads never hold a writer connection of their own.
class IngestSink {
public:
    virtual ~IngestSink() = default;
    virtual Result<IngestResult> ingest(const IngestBatch &batch) = 0;
    virtual Result<std::optional<std::string>> cursor(const std::string &source) = 0;

protected:
    IngestSink() = default;
    IngestSink(const IngestSink &) = default;
    IngestSink &operator=(const IngestSink &) = default;
    IngestSink(IngestSink &&) noexcept = default;
    IngestSink &operator=(IngestSink &&) noexcept = default;
};

} // namespace rl
