// Where exposition samples go: one family at a time, then its samples. Two sinks share the one
// piece of code that decides which series exist (target_families.cpp):
//  - TextSink writes text format 0.0.4 directly, in chunks. A /16 of targets is ~1.8 million
//    samples; prometheus-cpp's ClientMetric objects for that would cost hundreds of MB and
//    seconds, so /metrics uses this.
//  - FamilySink builds prometheus::MetricFamily values (for the tests that compare both paths
//    with prometheus-cpp's own serializer).
// Thread-safety: a sink is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace rdns::agent::metrics {

struct LabelRef {
  std::string_view name;
  std::string_view value;
};

// One histogram's state: `cumulative[i]` counts observations <= bounds[i]; the +Inf bucket is
// `count`.
struct HistogramData {
  std::span<const double> bounds;
  std::span<const std::uint64_t> cumulative;  // same size as bounds
  double sum = 0;
  std::uint64_t count = 0;
};

class SampleSink {
public:
  virtual ~SampleSink() = default;
  // Starts a family; every sample until the next family() belongs to it.
  virtual void family(std::string_view name, std::string_view help, prometheus::MetricType type) = 0;
  // A gauge or counter sample. `labels` fixed ones first; `extra` (config labels) appended.
  virtual void sample(std::span<const LabelRef> labels, std::span<const LabelRef> extra, double value) = 0;
  // The one series of a histogram family without labels (its _bucket, _sum and _count lines).
  virtual void histogram(const HistogramData& data) = 0;
};

// Escapes a label value for the text format: backslash, double quote and line feed.
void append_escaped_label_value(std::string& out, std::string_view value);
// Escapes HELP text: backslash and line feed.
void append_escaped_help(std::string& out, std::string_view help);
// Shortest text that reads back as the same double; NaN, +Inf, -Inf as Prometheus spells them.
void append_value(std::string& out, double value);

// Writes text format 0.0.4. When `flush` is set, it is called with each full chunk (about
// `chunk_size` bytes) and at finish(); without it everything accumulates in text().
class TextSink final : public SampleSink {
public:
  using Flush = std::function<void(std::string_view chunk)>;
  explicit TextSink(Flush flush = {}, std::size_t chunk_size = 64 * 1024);
  void family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void sample(std::span<const LabelRef> labels, std::span<const LabelRef> extra, double value) override;
  void histogram(const HistogramData& data) override;
  void finish();  // flushes the rest
  const std::string& text() const { return m_buffer; }

private:
  void write_header();
  void write_line(std::string_view suffix, std::span<const LabelRef> labels, std::span<const LabelRef> extra,
                  double value);
  void maybe_flush();
  Flush m_flush;
  std::size_t m_chunk_size;
  std::string m_buffer;
  std::string m_name;
  std::string m_header;  // HELP/TYPE of the current family until its first sample
};

class FamilySink final : public SampleSink {
public:
  void family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void sample(std::span<const LabelRef> labels, std::span<const LabelRef> extra, double value) override;
  void histogram(const HistogramData& data) override;
  // Families without samples are dropped (the text format would print only their HELP/TYPE).
  std::vector<prometheus::MetricFamily> take();

private:
  std::vector<prometheus::MetricFamily> m_families;
};

}  // namespace rdns::agent::metrics
