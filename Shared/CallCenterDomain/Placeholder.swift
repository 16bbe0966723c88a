public enum CallCenterDomainInfo {}
