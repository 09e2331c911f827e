// rdns_exporter monitoring mixin: prometheusAlerts and grafanaDashboards from one _config.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
