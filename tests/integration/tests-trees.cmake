# Test trees (tests/hosts/make-tree.sh) and their manifests (tests/tools/tree-manifest.sh).
p2v_integration_test(tree-manifest tree-manifest.sh)
