# cmake -DEXE=path/to/rdns_exporter -DOUT=rdns_exporter.1.gz -DVERSION=x.y.z -P manpage.cmake
# The man page is generated from the binary's real --help (help2man), with the `check` and
# `classify` subcommands' own --help appended, so it cannot drift from the flags.
foreach(var EXE OUT VERSION)
  if(NOT ${var})
    message(FATAL_ERROR "manpage.cmake: ${var} not set")
  endif()
endforeach()
find_program(HELP2MAN help2man REQUIRED)
find_program(GZIP gzip REQUIRED)
get_filename_component(dir "${OUT}" DIRECTORY)
set(include "${dir}/rdns_exporter.h2m")
set(text "[DESCRIPTION]\nrdns_exporter checks that mail servers' sending IPs have a PTR record, that the\nPTR name resolves back to the IP (FCrDNS) and does not look generic, and exports the results\nto Prometheus. Without a subcommand it runs as an agent until SIGTERM; SIGHUP reloads the\nconfiguration.\n\n[SUBCOMMANDS]\n")
foreach(sub check classify)
  execute_process(COMMAND "${EXE}" ${sub} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${EXE} ${sub} --help failed")
  endif()
  # roff: a backslash is an escape, and a plain "-" may render as a typographic hyphen that
  # breaks copy and paste of a flag.
  string(REPLACE "\\" "\\\\" help "${help}")
  string(REPLACE "-" "\\-" help "${help}")
  string(APPEND text ".SS ${sub}\n.nf\n${help}.fi\n")
endforeach()
# "\\&" before each path: in a help2man include file a line starting with "/" is a pattern.
string(APPEND text "\n[FILES]\n.TP\n\\&/etc/rdns_exporter/rdns_exporter.toml\nthe configuration (TOML)\n.TP\n\\&/etc/default/rdns_exporter\nextra flags for the systemd unit (ARGS)\n.TP\n\\&/usr/share/rdns_exporter/\nPrometheus alert rules and Grafana dashboards\n")
file(WRITE "${include}" "${text}")
set(page "${dir}/rdns_exporter.1")
execute_process(COMMAND "${HELP2MAN}" --no-info --no-discard-stderr
    "--name=reverse DNS (PTR, FCrDNS) checks of mail-sending IPs for Prometheus"
    "--version-string=${VERSION}" "--include=${include}" --output=${page} "${EXE}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed")
endif()
# help2man takes an option name to end at the first character that is not a letter, digit, "_"
# or "-": of "--web.listen-address=VALUE" it sets only "--web" in bold, and the rest as plain
# text. Our flags have dots: set the whole name in bold, and its VALUE in italics as help2man
# does for "--shard=VALUE".
file(READ "${page}" roff)
# (A replacement cannot hold a backslash: the font changes go in as placeholders first.)
string(REGEX REPLACE [=[\\fB(\\-\\-[a-z0-9]+)\\fR(\.[a-z0-9.]*(\\-[a-z0-9.]+)*)]=] "<bold>\\1\\2<roman>" roff "${roff}")
string(REPLACE "<bold>" [=[\fB]=] roff "${roff}")
string(REPLACE "<roman>=VALUE" [=[\fR=\fI\,VALUE\/\fR]=] roff "${roff}")
string(REPLACE "<roman>" [=[\fR]=] roff "${roff}")
file(WRITE "${page}" "${roff}")
# -n: no name or time stamp in the gzip header, so the page is reproducible.
execute_process(COMMAND "${GZIP}" -9nf "${page}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed")
endif()
