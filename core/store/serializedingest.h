#pragma once

#include "store/ingestsink.h"

#include <mutex>

namespace rl {

// Another sink's calls one at a time under `mutex`, for pollers on several threads writing through one
// connection (tests, which take the same mutex to read; the app serialises on its store service's thread).
class SerializedIngest final : public IngestSink {
public:
    SerializedIngest(IngestSink &sink, std::mutex &mutex) : m_sink(sink), m_mutex(mutex) {}

    Result<IngestResult> ingest(const IngestBatch &batch) override
    {
        std::lock_guard lock(m_mutex);
        return m_sink.ingest(batch);
    }
    Result<std::optional<std::string>> cursor(const std::string &source) override
    {
        std::lock_guard lock(m_mutex);
        return m_sink.cursor(source);
    }

private:
    IngestSink &m_sink;
    std::mutex &m_mutex;
};

} // namespace rl
