#include "agent/metrics/exposition_writer.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace rdns::agent::metrics {

void append_escaped_label_value(std::string& out, std::string_view value) {
  // Nearly every value (IPs, host names, statuses) needs no escape: append runs between escapes
  // whole rather than a byte at a time (a /16 is ~4 million label values per scrape).
  std::size_t run = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.data() + run, i - run);
    out += c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\";
    run = i + 1;
  }
  out.append(value.data() + run, value.size() - run);
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  // The state sets and verdicts are mostly 0 and 1: skip the general conversion for them.
  if (value == 0.0 && !std::signbit(value)) {
    out += '0';
    return;
  }
  if (value == 1.0) {
    out += '1';
    return;
  }
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc{}) {
    out += "NaN";
    return;
  }
  out.append(buffer, end);
}

namespace {
std::string_view type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Histogram: return "histogram";
    case prometheus::MetricType::Summary: return "summary";
    default: return "untyped";
  }
}
}  // namespace

TextSink::TextSink(Flush flush, std::size_t chunk_size) : m_flush(std::move(flush)), m_chunk_size(chunk_size) {
  m_buffer.reserve(m_flush ? chunk_size + 4096 : 4096);
}

void TextSink::family(std::string_view name, std::string_view help, prometheus::MetricType type) {
  // The header is written with the first sample: a family without samples is left out, as
  // FamilySink does.
  m_name.assign(name);
  m_header.clear();
  m_header += "# HELP ";
  m_header += name;
  m_header += ' ';
  append_escaped_help(m_header, help);
  m_header += "\n# TYPE ";
  m_header += name;
  m_header += ' ';
  m_header += type_name(type);
  m_header += '\n';
}

void TextSink::write_header() {
  if (!m_header.empty()) {
    m_buffer += m_header;
    m_header.clear();
  }
}

void TextSink::write_line(std::string_view suffix, std::span<const LabelRef> labels, std::span<const LabelRef> extra,
                          double value) {
  m_buffer += m_name;
  m_buffer += suffix;
  bool first = true;
  auto add = [&](const LabelRef& label) {
    m_buffer += first ? '{' : ',';
    first = false;
    m_buffer += label.name;
    m_buffer += "=\"";
    append_escaped_label_value(m_buffer, label.value);
    m_buffer += '"';
  };
  for (const auto& label : labels) add(label);
  for (const auto& label : extra) add(label);
  if (!first) m_buffer += '}';
  m_buffer += ' ';
  append_value(m_buffer, value);
  m_buffer += '\n';
}

void TextSink::sample(std::span<const LabelRef> labels, std::span<const LabelRef> extra, double value) {
  write_header();
  write_line({}, labels, extra, value);
  maybe_flush();
}

void TextSink::histogram(const HistogramData& data) {
  write_header();
  std::string bound;
  for (std::size_t i = 0; i < data.bounds.size() && i < data.cumulative.size(); ++i) {
    bound.clear();
    append_value(bound, data.bounds[i]);
    const LabelRef le[] = {{"le", bound}};
    write_line("_bucket", le, {}, static_cast<double>(data.cumulative[i]));
  }
  const LabelRef inf[] = {{"le", "+Inf"}};
  write_line("_bucket", inf, {}, static_cast<double>(data.count));
  write_line("_sum", {}, {}, data.sum);
  write_line("_count", {}, {}, static_cast<double>(data.count));
  maybe_flush();
}

void TextSink::maybe_flush() {
  if (m_flush && m_buffer.size() >= m_chunk_size) {
    m_flush(m_buffer);
    m_buffer.clear();
  }
}

void TextSink::finish() {
  if (m_flush && !m_buffer.empty()) {
    m_flush(m_buffer);
    m_buffer.clear();
  }
}

void FamilySink::family(std::string_view name, std::string_view help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name.assign(name);
  family.help.assign(help);
  family.type = type;
  m_families.push_back(std::move(family));
}

void FamilySink::sample(std::span<const LabelRef> labels, std::span<const LabelRef> extra, double value) {
  if (m_families.empty()) return;
  auto& family = m_families.back();
  prometheus::ClientMetric metric;
  for (const auto& label : labels) metric.label.push_back({std::string(label.name), std::string(label.value)});
  for (const auto& label : extra) metric.label.push_back({std::string(label.name), std::string(label.value)});
  if (family.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else if (family.type == prometheus::MetricType::Untyped) {
    metric.untyped.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

void FamilySink::histogram(const HistogramData& data) {
  if (m_families.empty()) return;
  prometheus::ClientMetric metric;
  metric.histogram.sample_count = data.count;
  metric.histogram.sample_sum = data.sum;
  for (std::size_t i = 0; i < data.bounds.size() && i < data.cumulative.size(); ++i) {
    metric.histogram.bucket.push_back({data.cumulative[i], data.bounds[i]});
  }
  metric.histogram.bucket.push_back({data.count, std::numeric_limits<double>::infinity()});
  m_families.back().metric.push_back(std::move(metric));
}

std::vector<prometheus::MetricFamily> FamilySink::take() {
  std::vector<prometheus::MetricFamily> out;
  for (auto& family : m_families) {
    if (!family.metric.empty()) out.push_back(std::move(family));
  }
  m_families.clear();
  return out;
}

}  // namespace rdns::agent::metrics
