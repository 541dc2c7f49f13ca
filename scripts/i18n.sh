#!/usr/bin/env bash
# Refresh the web's translation catalogs: extract every marked string, merge it into each
# locale's .po (new strings arrive untranslated; tests/unit/test_web_i18n.py fails until they
# are translated), and compile the .mo files, which are committed so an install needs no build.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PYBABEL:-pybabel}
locale_dir=src/salestrack/web/locale
"$bin" extract -F babel.cfg -k N_ -k _ --no-location --sort-output --omit-header \
  -o "$locale_dir/messages.pot" .
for lang in vi; do
  if [ -f "$locale_dir/$lang/LC_MESSAGES/messages.po" ]; then
    "$bin" update -i "$locale_dir/messages.pot" -d "$locale_dir" -l "$lang" --no-fuzzy-matching
  else
    "$bin" init -i "$locale_dir/messages.pot" -d "$locale_dir" -l "$lang"
  fi
done
"$bin" compile -d "$locale_dir" --statistics
