# bpf_object(NAME SOURCE [CFLAGS...]): compile SOURCE (a *.bpf.c) for the BPF target and
# generate a libbpf skeleton header NAME.skel.h that embeds the object, so the
# binaries need no loose .o at run time. Adds an INTERFACE target NAME_skel
# whose include directory holds the skeleton.
find_program(BPF_CLANG NAMES clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

function(bpf_object name source)
  set(extra_flags ${ARGN})
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/bpf/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/bpf/${name}.skel.h)
  get_filename_component(src_abs ${source} ABSOLUTE)
  get_filename_component(src_dir ${src_abs} DIRECTORY)
  file(GLOB bpf_headers CONFIGURE_DEPENDS ${src_dir}/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/bpf
    COMMAND ${BPF_CLANG} -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86
            ${extra_flags} -I${src_dir} -I/usr/include/x86_64-linux-gnu
            -c ${src_abs} -o ${obj}
    DEPENDS ${src_abs} ${bpf_headers}
    COMMENT "BPF ${name}.bpf.o")
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h")
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR}/bpf)
endfunction()
