#include "agent/web_handlers.hpp"

#include "agent/status/status_json.hpp"
#include "agent/status/status_page.hpp"
#include "checks/remediation.hpp"

namespace rdns::agent {
namespace {

std::string trust_anchor_problem(const TrustAnchorMonitor::Status& status) {
  if (status.valid != false) return {};
  return "The resolver cannot validate the DNS root: its DNSSEC trust anchors (" + status.anchors.source +
         (status.anchors.path.empty() ? "" : " " + status.anchors.path) + ", key tags " +
         checks::key_tags_text(status.anchors.key_tags) +
         ") do not match the root's keys, so every answer is bogus. No IP gets a new verdict; the verdicts "
         "below are the last ones decided. Fix the anchors (see the runbook, RdnsTrustAnchorInvalid). Detail: " +
         status.detail;
}

}  // namespace

WebHandlers make_web_handlers(Service& service, WebHandlerOptions options) {
  WebHandlers handlers;
  handlers.metrics_stream = [&service](const std::function<bool(std::string_view)>& write) {
    bool open = true;
    service.write_metrics([&](std::string_view chunk) {
      if (open) open = write(chunk);
    });
  };
  handlers.probe = [&service](const ProbeRequest& request) { return service.probe(request); };
  handlers.reload = [&service, file = options.config_file]() -> tl::expected<void, std::string> {
    if (file.empty()) return tl::make_unexpected(std::string("no configuration file"));
    return service.reload_from_file(file);
  };
  handlers.ready = [&service] { return service.ready(); };
  handlers.status_page = [&service, path = options.telemetry_path](const QueryParam& param) {
    StatusPageQuery query = make_status_page_query(param);
    query.telemetry_path = path;
    // Counting and filtering visit the store's compact records in place; only the rows shown
    // are copied and unpacked (a snapshot of a /16 took longer than the rest of the page).
    auto model = select_status_rows(service.store(), query);
    model.resolver_problem = trust_anchor_problem(service.trust_anchor_status());
    return render_status_page(model, query, std::chrono::system_clock::now(),
                              [](const checks::CheckResult& r) { return checks::remediation_hints(r); });
  };
  handlers.api_targets = [&service](const QueryParam& param) {
    const StatusPageQuery query = make_status_page_query(param);
    return render_status_json(select_status_rows(service.store(), query), query);
  };
  return handlers;
}

}  // namespace rdns::agent
