# Writes OUTPUT, a C++ file defining `kBuiltInScorerWeights` with the text of INPUT (empty when INPUT
# does not exist yet, so a first checkout builds before any weights are trained).
set(_text "")
if(EXISTS "${INPUT}")
  file(READ "${INPUT}" _text)
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/EmbedText.cmake; do not edit.\n"
  "extern const char *const kBuiltInScorerWeights;\n"
  "const char *const kBuiltInScorerWeights = R\"RLWEIGHTS(${_text})RLWEIGHTS\";\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
