pub mod netplan;
