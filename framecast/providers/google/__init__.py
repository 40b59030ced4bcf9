"""Google Video Intelligence: the cloud video analyzer."""
