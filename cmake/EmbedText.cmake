# Writes OUTPUT, a C++ file defining `const char *const SYMBOL` with the text of INPUT (empty when INPUT
# does not exist yet, so a first checkout builds before any weights are trained).
set(_text "")
if(EXISTS "${INPUT}")
  file(READ "${INPUT}" _text)
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/EmbedText.cmake; do not edit.\n"
  "extern const char *const ${SYMBOL};\n"
  "const char *const ${SYMBOL} = R\"RLEMBED(${_text})RLEMBED\";\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
