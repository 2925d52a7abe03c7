"""Collectors: flow datagrams (NetFlow, IPFIX, sFlow) and files (pcap, nfdump CSV) as
batches of :data:`qalxan.domain.flows.FLOW_DTYPE`."""
