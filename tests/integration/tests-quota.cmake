p2v_integration_test(quota-qemu quota-qemu.sh)
