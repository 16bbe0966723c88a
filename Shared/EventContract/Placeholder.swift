public enum EventContractInfo {}
