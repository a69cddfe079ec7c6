# The benchmark's agreement check on small data (CTest `bench_agreement`): the C++
# implementations must print identical `fires` lines. Run with -DGEN -DSLUICE_BENCH -DHAND -DDIR.
file(MAKE_DIRECTORY ${DIR})

function(run_fires out)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${text}\n${err}")
  endif()
  string(REGEX MATCHALL "fires [^\n]*" lines "${text}")
  string(JOIN "\n" joined ${lines})
  set(${out} "${joined}" PARENT_SCOPE)
endfunction()

function(expect_same what a b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${what}: implementations disagree\n--- first\n${a}\n--- second\n${b}")
  endif()
  if(a STREQUAL "")
    message(FATAL_ERROR "${what}: no fires lines")
  endif()
  message(STATUS "${what}: agree\n${a}")
endfunction()

execute_process(COMMAND ${GEN} ${DIR} 6000 200 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bench_gen failed")
endif()

run_fires(w1_sluice ${SLUICE_BENCH} batch ${DIR} ${DIR}/w1.sluice --reps 1)
run_fires(w1_hand ${HAND} ${DIR} --reps 1)
expect_same("W1 Sluice vs hand loop" "${w1_sluice}" "${w1_hand}")
if(w1_sluice MATCHES "fires R[1-4] 0 ")
  message(FATAL_ERROR "W1: a rule never fires on the smoke data; the check would be vacuous")
endif()

run_fires(w1_one ${SLUICE_BENCH} batch ${DIR} ${DIR}/w1.sluice --reps 1 --block 1)
expect_same("W1 default blocks vs 1" "${w1_sluice}" "${w1_one}")

run_fires(w2_sluice ${SLUICE_BENCH} batch ${DIR} ${DIR}/w2.sluice --weekly --reps 1)
run_fires(w2_hand ${HAND} ${DIR} --weekly --reps 1)
expect_same("W2 Sluice vs hand loop" "${w2_sluice}" "${w2_hand}")

run_fires(w3_big ${SLUICE_BENCH} batch ${DIR} ${DIR}/w3.sluice --reps 1)
run_fires(w3_small ${SLUICE_BENCH} batch ${DIR} ${DIR}/w3.sluice --reps 1 --block 7)
expect_same("W3 default blocks vs 7" "${w3_big}" "${w3_small}")

execute_process(COMMAND ${SLUICE_BENCH} linear 20000 --reps 1 RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "linear (in-memory W1, Sluice vs hand loop) failed:\n${text}\n${err}")
endif()
